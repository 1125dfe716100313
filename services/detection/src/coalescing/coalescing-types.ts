import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Finding } from '@ir/contracts';

/** Why a message about an incident is sent. */
export type IncidentMessageKind = 'opened' | 'attached' | 're-emitted';

/**
 * A message the store has committed to: its id is written with the decision, so a delivery that
 * dies before publishing is published by the next one with the same id (consumers dedupe by id).
 */
export interface OutboxEntry {
  /** `first`: the message that opened the incident or attached the finding; `last`: the latest re-emission. */
  readonly slot: 'first' | 'last';
  readonly kind: IncidentMessageKind;
  readonly incidentId: string;
  readonly messageId: string;
  readonly receivedAt: string;
  readonly suppressionUnevaluated: boolean;
}

/**
 * What this delivery decided. `stale`: an older version of a recorded finding (it arrived out of
 * order; coalesced, nothing to send). `duplicate`: exactly the recorded version again, i.e. a
 * redelivery (SQS and EventBridge deliver at least once), not a new finding.
 */
export type CoalescingDecision = IncidentMessageKind | 'stale' | 'duplicate';

/** The decision for one finding, and the messages to publish (possibly left over from an earlier delivery). */
export interface RecordResult {
  readonly decision: CoalescingDecision;
  readonly incidentId: string;
  readonly outbox: readonly OutboxEntry[];
}

/** What the store needs to decide about one finding. */
export interface RecordInput {
  readonly finding: Finding;
  readonly receivedAt: Date;
  readonly suppressionUnevaluated: boolean;
  /**
   * A dry-run submission coalesces only with other dry-run findings (its keys carry a `DRYRUN#`
   * prefix): it must never update, or be merged into, a live incident, nor the reverse.
   */
  readonly dryRun?: boolean;
}

/** Settings of `createCoalescingStore`; the decision paths read them too. */
export interface CoalescingStoreSettings {
  readonly dynamodb: DynamoDBClient;
  readonly tableName: string;
  readonly windowSeconds: number;
  readonly memorySeconds: number;
  readonly newIncidentId: () => string;
  readonly newMessageId: () => string;
  /** Read-decide-write rounds before giving up with a retryable error. */
  readonly maxAttempts?: number;
}

/** Coalescing decided by conditional writes in the incident table, so replicas agree without talking. */
export interface CoalescingStore {
  record(input: RecordInput): Promise<RecordResult>;
  /** Marks an outbox entry sent; a lost race (a newer entry replaced it) is not an error. */
  markPublished(finding: Finding, entry: OutboxEntry, dryRun?: boolean): Promise<void>;
}
