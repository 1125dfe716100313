import type { AcceptedMessage, AwsClientFactory, HandlerContext, Publisher } from '@ir/runtime';
import type { ForensicsConfig } from '../config.js';
import type { EvidenceStore, EvidenceStoreSettings } from '../evidence/evidence-store.js';
import type { ForensicsMetrics } from '../metrics.js';
import type { ManagedInstanceLookup } from '../volatile/managed-instance.js';

/** The evidence commands this service executes. */
export type EvidenceType =
  | 'evidence.snapshot-volumes'
  | 'evidence.capture-instance'
  | 'evidence.collect-volatile'
  | 'evidence.collect-iam'
  | 'evidence.collect-s3'
  | 'evidence.seal'
  | 'evidence.clean-room'
  | 'evidence.clean-room-teardown'
  | 'evidence.store-report';

/** An evidence command, narrowed to one type. */
export type EvidenceCommand<T extends EvidenceType = EvidenceType> = AcceptedMessage<T>;

/** What every action needs; built once in app.ts. */
export interface ActionDeps {
  readonly config: ForensicsConfig;
  readonly aws: AwsClientFactory;
  readonly store: EvidenceStore;
  readonly metrics: ForensicsMetrics;
  readonly now: () => Date;
  /** Waits between SSM polls; aborts with the handler. */
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Whether an instance is SSM-managed and online (a seam: moto lacks DescribeInstanceInformation). */
  readonly managedInstance: ManagedInstanceLookup;
  /** ARN of the identity the service runs as, recorded in manifests. */
  readonly callerArn: () => Promise<string>;
  /** Known-bad SHA-256 digests (from `IR_KNOWN_BAD_HASHES_FILE`) with their labels, for the clean room. */
  readonly knownBad?: ReadonlyMap<string, string | null>;
  /** Retention, encryption and collector of the evidence store, for uploads the store does not make itself. */
  readonly evidenceSettings: Pick<
    EvidenceStoreSettings,
    'lockMode' | 'retentionDays' | 'kmsKeyId' | 'collector' | 'now'
  >;
  /** The service's own queue, for follow-ups to itself (the snapshot watch). */
  readonly followups: Publisher<'forensics'>;
  readonly newId?: () => string;
}

/** What an action reports on success: `result` for people, `verified` for what was read back. */
export interface StepOutcome {
  readonly result: Record<string, unknown>;
  readonly verified?: Record<string, unknown>;
  /** `skipped` when the action could not apply (e.g. an instance not managed by SSM). */
  readonly skipped?: boolean;
  /** The action put its command back on the queue to look again later: no result is sent now. */
  readonly deferred?: boolean;
}

/** One action's implementation. */
export type ActionHandler<T extends EvidenceType> = (
  command: EvidenceCommand<T>,
  context: HandlerContext,
) => Promise<StepOutcome>;

/** The target of a command, as the AWS client factory takes it. */
export function targetOf(command: EvidenceCommand): {
  accountId: string;
  region: string;
  incidentId: string;
} {
  return {
    accountId: command.payload.target.accountId,
    region: command.payload.target.region,
    incidentId: command.incidentId,
  };
}
