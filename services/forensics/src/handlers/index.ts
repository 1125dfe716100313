import type { Message as SqsMessage } from '@aws-sdk/client-sqs';
import { evidenceActions } from '@ir/contracts';
import {
  type AccountPolicy,
  type AcceptedMessage,
  createStepWorker,
  envelopeParser,
  type HandlerContext,
  lazyHandler,
  type ParsedMessage,
  type Publisher,
  QueueName,
  type StepActionTable,
  type StepMetrics,
} from '@ir/runtime';
import { collectS3 } from './collect-s3.js';
import { s3Object } from './s3-object.js';
import { SNAPSHOT_FOLLOWUP, snapshotFollowup } from './snapshot-followup.js';
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

/**
 * One handler per evidence action; the mapped type makes the table exhaustive. Each handler's module,
 * and the SDK client packages it uses, is imported on the handler's first call ({@link lazyHandler}),
 * so an EC2 incident never loads the Lambda, ECS, EKS, RDS or CloudTrail clients.
 */
export function createActions(deps: ActionDeps): StepActionTable<EvidenceType> {
  return {
    'evidence.snapshot-volumes': lazyHandler(async () =>
      (await import('./snapshot-volumes.js')).snapshotVolumes(deps),
    ),
    'evidence.capture-instance': lazyHandler(async () =>
      (await import('./capture-instance.js')).captureInstance(deps),
    ),
    'evidence.collect-volatile': lazyHandler(async () =>
      (await import('./collect-volatile.js')).collectVolatile(deps),
    ),
    'evidence.collect-iam': lazyHandler(async () => (await import('./collect-iam.js')).collectIam(deps)),
    'evidence.collect-s3': collectS3(deps),
    'evidence.collect-lambda': lazyHandler(async () =>
      (await import('./lambda-function.js')).collectLambda(deps),
    ),
    'evidence.collect-ecs-task': lazyHandler(async () =>
      (await import('./ecs-task.js')).collectEcsTask(deps),
    ),
    'evidence.collect-eks-cluster': lazyHandler(async () =>
      (await import('./eks-cluster.js')).collectEksCluster(deps),
    ),
    'evidence.snapshot-rds': lazyHandler(async () => (await import('./rds-snapshot.js')).snapshotRds(deps)),
    'evidence.s3-object': s3Object(deps),
    'evidence.seal': lazyHandler(async () => (await import('./seal.js')).seal(deps)),
    'evidence.clean-room': lazyHandler(async () => (await import('./clean-room.js')).cleanRoom(deps)),
    'evidence.clean-room-teardown': lazyHandler(async () =>
      (await import('./clean-room-teardown.js')).cleanRoomTeardown(deps),
    ),
    'evidence.store-report': lazyHandler(async () => (await import('./store-report.js')).storeReport(deps)),
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
