import type { Message as SqsMessage } from '@aws-sdk/client-sqs';
import { evidenceActions } from '@ir/contracts';
import {
  type AccountPolicy,
  type AcceptedMessage,
  createStepWorker,
  envelopeParser,
  type HandlerContext,
  type ParsedMessage,
  type Publisher,
  QueueName,
  type StepActionTable,
  type StepMetrics,
} from '@ir/runtime';
import { captureInstance } from './capture-instance.js';
import { cleanRoom } from './clean-room.js';
import { cleanRoomTeardown } from './clean-room-teardown.js';
import { collectIam } from './collect-iam.js';
import { collectS3 } from './collect-s3.js';
import { collectVolatile } from './collect-volatile.js';
import { collectEcsTask } from './ecs-task.js';
import { collectEksCluster } from './eks-cluster.js';
import { collectLambda } from './lambda-function.js';
import { snapshotRds } from './rds-snapshot.js';
import { s3Object } from './s3-object.js';
import { seal } from './seal.js';
import { SNAPSHOT_FOLLOWUP, snapshotFollowup } from './snapshot-followup.js';
import { snapshotVolumes } from './snapshot-volumes.js';
import { storeReport } from './store-report.js';
import type { ActionDeps, EvidenceType } from './types.js';

/** The step commands this service executes. */
export const EVIDENCE_TYPES: readonly EvidenceType[] = evidenceActions;

/** Every message type on the forensics queue: the step commands and the service's own follow-up. */
export type ForensicsMessageType = EvidenceType | typeof SNAPSHOT_FOLLOWUP;
/** A message on the forensics queue, narrowed by `type`. */
export type ForensicsMessage = AcceptedMessage<ForensicsMessageType>;

/** What {@link createHandlers} needs beyond the actions' dependencies. */
export interface HandlerDeps extends ActionDeps {
  readonly publisher: Publisher<'coordinator'>;
  /** `ir_step_executions_total` and `ir_step_execution_duration_seconds` on the service's registry. */
  readonly stepMetrics: StepMetrics;
  /** Deliveries of one command before a transient error is answered as `step.failed` (IR_STEP_MAX_ATTEMPTS). */
  readonly maxAttempts: number;
  readonly retryBaseSeconds: number;
  readonly retryMaxSeconds: number;
  /** Refuses accounts that are not allowed before any action (the client factory refuses them too). */
  readonly accounts?: Pick<AccountPolicy, 'assertAllowed'> | undefined;
}

/** The forensics queue's parser and handler, and the actions behind them. */
export interface ForensicsHandlers {
  readonly types: readonly ForensicsMessageType[];
  readonly actions: StepActionTable<EvidenceType>;
  readonly parse: (message: SqsMessage) => ParsedMessage<ForensicsMessage>;
  readonly handle: (message: ParsedMessage<ForensicsMessage>, context: HandlerContext) => Promise<void>;
}

/** One handler per evidence action; the mapped type makes the table exhaustive. */
export function createActions(deps: ActionDeps): StepActionTable<EvidenceType> {
  return {
    'evidence.snapshot-volumes': snapshotVolumes(deps),
    'evidence.capture-instance': captureInstance(deps),
    'evidence.collect-volatile': collectVolatile(deps),
    'evidence.collect-iam': collectIam(deps),
    'evidence.collect-s3': collectS3(deps),
    'evidence.collect-lambda': collectLambda(deps),
    'evidence.collect-ecs-task': collectEcsTask(deps),
    'evidence.collect-eks-cluster': collectEksCluster(deps),
    'evidence.snapshot-rds': snapshotRds(deps),
    'evidence.s3-object': s3Object(deps),
    'evidence.seal': seal(deps),
    'evidence.clean-room': cleanRoom(deps),
    'evidence.clean-room-teardown': cleanRoomTeardown(deps),
    'evidence.store-report': storeReport(deps),
  };
}

/**
 * Builds the forensics queue's handler: step commands go to the runtime's step worker (deadline,
 * allowed-account check, answer on `step.succeeded` / `step.failed`, transient errors retried through
 * visibility up to `maxAttempts` and then answered as failed, so the coordinator always hears back);
 * the snapshot follow-up, the service's note to itself, answers nobody and goes to its own handler
 * (a transient error is retried, a permanent one dead-lettered with its reason).
 */
export function createHandlers(deps: HandlerDeps): ForensicsHandlers {
  const actions = createActions(deps);
  const steps = createStepWorker<EvidenceType>({
    service: 'forensics',
    actions,
    publisher: deps.publisher,
    aws: deps.aws,
    metrics: deps.stepMetrics,
    maxAttempts: deps.maxAttempts,
    retryBaseSeconds: deps.retryBaseSeconds,
    retryMaxSeconds: deps.retryMaxSeconds,
    accounts: deps.accounts,
    now: deps.now,
    newId: deps.newId,
  });
  const followup = snapshotFollowup(deps);
  const types: readonly ForensicsMessageType[] = [...steps.types, SNAPSHOT_FOLLOWUP];

  return {
    types,
    actions,
    parse: envelopeParser(QueueName.forensics, types),
    async handle(message, context) {
      const { value } = message;
      if (value.type === SNAPSHOT_FOLLOWUP) return followup(value, context);
      return steps.handle({ ...message, value }, context);
    },
  };
}
