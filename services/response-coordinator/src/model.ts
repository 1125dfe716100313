import type { IncidentRecord, IncidentStatus, StepRecord, StepStatus, WorkerQueue } from '@ir/contracts';

/*
 * The coordinator's view of its records. The records themselves (IncidentRecord, StepRecord,
 * TimelineEntry and their closed sets) are contracts: the operator API serves them and irctl, the
 * report and the system tests read them, so they live in @ir/contracts. What is here is internal.
 */

/** Statuses the sweeper visits: an incident in one of them may have a step that can time out. */
export const activeStatuses = ['open', 'needs-attention', 'rolling-back'] as const satisfies IncidentStatus[];

/**
 * Statuses the sweeper does not list; an incident in one of them that still has a dispatched step is
 * found through its `INFLIGHT` item instead (written with the transition that leaves it so).
 */
export const settledStatuses = ['completed', 'rolled-back', 'resolved'] as const satisfies IncidentStatus[];

/** Statuses counted by the `ir_incidents_open` gauge: everything not resolved. */
export const unresolvedStatuses = [
  'open',
  'needs-attention',
  'completed',
  'rolling-back',
  'rolled-back',
] as const satisfies IncidentStatus[];

/** An incident with its steps, as loaded for a decision; `version` guards the next write. */
export interface IncidentAggregate {
  readonly incident: IncidentRecord;
  readonly version: number;
  readonly steps: readonly StepRecord[];
}

/** A command committed with the state that caused it, published after the commit (outbox). */
export interface OutboxEntry {
  readonly queue: WorkerQueue;
  readonly messageId: string;
  /** The message as JSON text, exactly as it will be sent. */
  readonly body: string;
  /** When it was committed (read back from the table; unset on a transition not yet committed). */
  readonly committedAt?: string | undefined;
  /** The message whose handling committed it (unset for the sweeper's ticks and older entries). */
  readonly causedBy?: string | undefined;
}

/**
 * An outbox entry older than this was left by a writer that died between its commit and its publish
 * (a live writer publishes within milliseconds); younger ones are left to their writer, so neither a
 * sweep nor the next writer duplicates a command. Wall-clock time, as the repository stamps entries.
 */
export const OUTBOX_GRACE_MS = 10_000;

/** Step statuses after which a step's dependents may run. */
export const satisfiedStatuses: ReadonlySet<StepStatus> = new Set(['succeeded', 'skipped', 'rolled-back']);

/** Step statuses in which nothing more will be dispatched for the step. */
export const terminalStatuses: ReadonlySet<StepStatus> = new Set([
  'succeeded',
  'failed',
  'skipped',
  'timed-out',
  'rolled-back',
]);
