import { AccountId, AwsRegion, FindingSource, IsoDateTime, SeverityBand, StepAction } from '@ir/contracts';
import { z } from 'zod';

/**
 * The lifecycle of an incident. `needs-attention` means a person must look (a step failed or timed
 * out); `completed` means every planned step finished well and the incident waits to be resolved.
 */
export const IncidentStatus = z.enum([
  'open',
  'needs-attention',
  'completed',
  'rolling-back',
  'rolled-back',
  'resolved',
]);
/** @see IncidentStatus */
export type IncidentStatus = z.infer<typeof IncidentStatus>;

/** Statuses the sweeper visits: an incident in one of them may have a step that can time out. */
export const activeStatuses = ['open', 'needs-attention', 'rolling-back'] as const satisfies IncidentStatus[];

/** Statuses counted by the `ir_incidents_open` gauge: everything not resolved. */
export const unresolvedStatuses = [
  'open',
  'needs-attention',
  'completed',
  'rolling-back',
  'rolled-back',
] as const satisfies IncidentStatus[];

/** The status of one step, as the issue names them. */
export const StepStatus = z.enum([
  'pending',
  'dispatched',
  'succeeded',
  'failed',
  'awaiting-approval',
  'skipped',
  'timed-out',
  'rolled-back',
]);
/** @see StepStatus */
export type StepStatus = z.infer<typeof StepStatus>;

/** Why a step waits for a person instead of running. */
export const HoldReason = z.enum([
  'approval-required',
  'blast-radius',
  'protected-resource',
  'suppression-unevaluated',
]);
/** @see HoldReason */
export type HoldReason = z.infer<typeof HoldReason>;

/** Who put a step in the plan: the playbook, the coordinator itself (notifications), or a rollback. */
export const StepOrigin = z.enum(['playbook', 'coordinator', 'rollback']);
/** @see StepOrigin */
export type StepOrigin = z.infer<typeof StepOrigin>;

/** The worker queues a step can go to. */
export const WorkerQueue = z.enum(['isolator', 'forensics', 'notifier']);
/** @see WorkerQueue */
export type WorkerQueue = z.infer<typeof WorkerQueue>;

const Details = z.record(z.string(), z.unknown());

/** One step of an incident as stored (item `STEP#<stepId>`): the planned step plus its progress. */
export const StepRecord = z.object({
  stepId: z.string().min(1),
  action: StepAction,
  queue: WorkerQueue,
  params: Details,
  target: z.object({ accountId: AccountId, region: AwsRegion }),
  after: z.array(z.string()),
  approval: z.enum(['none', 'required']),
  timeoutSeconds: z.number().int().positive(),
  containment: z.boolean(),
  sealsEvidence: z.boolean(),
  origin: StepOrigin,
  /** Position in the plan; keeps listing and dispatch order deterministic. */
  order: z.number().int().min(0),
  status: StepStatus,
  holdReasons: z.array(HoldReason).default([]),
  /** Set once a person approved; lifts every hold, and the step does not count as automatic. */
  approvedBy: z.string().optional(),
  rejectedBy: z.string().optional(),
  decisionReason: z.string().optional(),
  approvalRequestedAt: IsoDateTime.optional(),
  approvalDeadlineAt: IsoDateTime.optional(),
  escalations: z.number().int().min(0).default(0),
  /** True when the step used one slot of the blast-radius budget. */
  countedAutomatic: z.boolean().default(false),
  commandId: z.string().optional(),
  dispatchedAt: IsoDateTime.optional(),
  deadlineAt: IsoDateTime.optional(),
  completedAt: IsoDateTime.optional(),
  result: Details.optional(),
  preState: Details.optional(),
  verified: Details.optional(),
  failure: z.object({ reason: z.string(), errorName: z.string(), detail: Details.optional() }).optional(),
  /** Why a step was skipped (rejected, incident resolved, rollback requested). */
  skipReason: z.string().optional(),
  /** For a rollback step: the containment step it undoes. */
  rollbackOf: z.string().optional(),
});
/** @see StepRecord */
export type StepRecord = z.infer<typeof StepRecord>;

/** A finding recorded on an incident (the whole finding is kept in its `FINDING#` item). */
export const FindingRef = z.object({
  source: FindingSource,
  id: z.string(),
  type: z.string(),
  title: z.string(),
  band: SeverityBand,
  updatedAt: IsoDateTime,
  count: z.number().int().min(1),
  receivedAt: IsoDateTime,
});
/** @see FindingRef */
export type FindingRef = z.infer<typeof FindingRef>;

/** The incident itself (item `INCIDENT#<id>` / `META`), without its version. */
export const IncidentRecord = z.object({
  incidentId: z.string().min(1),
  correlationId: z.string().min(1),
  status: IncidentStatus,
  playbookId: z.string().min(1),
  severityBand: SeverityBand,
  dryRun: z.boolean(),
  /** When detection received the first finding: the start of MTTI and MTTE. */
  receivedAt: IsoDateTime,
  openedAt: IsoDateTime,
  updatedAt: IsoDateTime,
  summary: z.string(),
  target: z.object({ accountId: AccountId, region: AwsRegion }),
  suppressionUnevaluated: z.boolean(),
  findings: z.array(FindingRef),
  /** `RESOURCE#` keys detection holds for this incident, released on resolve. */
  resources: z.array(z.object({ accountId: AccountId, key: z.string() })),
  /** Resources of the findings that carry the protected tag. */
  protectedResources: z.array(z.string()),
  /** Facts people must know (e.g. every workload on a role is affected by revoking its sessions). */
  notes: z.array(z.string()),
  firstContainedAt: IsoDateTime.optional(),
  evidenceSealedAt: IsoDateTime.optional(),
  rollbackRequestedAt: IsoDateTime.optional(),
  rollbackRequestedBy: z.string().optional(),
  resolvedAt: IsoDateTime.optional(),
  resolvedBy: z.string().optional(),
});
/** @see IncidentRecord */
export type IncidentRecord = z.infer<typeof IncidentRecord>;

/** One entry of an incident's timeline (item `TIMELINE#<at>#<entryId>`), append-only. */
export const TimelineEntry = z.object({
  at: IsoDateTime,
  entryId: z.string().min(1),
  kind: z.string().min(1),
  stepId: z.string().optional(),
  detail: Details.optional(),
});
/** @see TimelineEntry */
export type TimelineEntry = z.infer<typeof TimelineEntry>;

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
}

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
