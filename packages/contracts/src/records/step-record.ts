import { z } from 'zod';
import { StepAction } from '../message-types.js';
import { OperatorIdentity } from '../messages/operator.js';
import { AccountId, AwsRegion, IsoDateTime } from '../primitives.js';
import { DecisionBy, StepApproval } from './approval.js';
import { HoldReason } from './hold-reason.js';
import { Details } from './details.js';

/** The status of one step of an incident. */
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

export { HoldReason };

/** Who put a step in the plan: the playbook, the coordinator itself (notifications), or a rollback. */
export const StepOrigin = z.enum(['playbook', 'coordinator', 'rollback']);
/** @see StepOrigin */
export type StepOrigin = z.infer<typeof StepOrigin>;

/** The worker queues a step can go to. */
export const WorkerQueue = z.enum(['isolator', 'forensics', 'notifier']);
/** @see WorkerQueue */
export type WorkerQueue = z.infer<typeof WorkerQueue>;

/**
 * One step of an incident: the planned step plus its progress. The coordinator stores it as the
 * JSON document of item `STEP#<stepId>` and serves it from `GET /incidents/:id`; the report reads it.
 */
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
  /**
   * How many different people must approve before the step runs: 2 for a protected resource, a NACL
   * block, a console password removal, the clean room, or a playbook step with `approvers: 2`.
   */
  approvalsRequired: z.union([z.literal(1), z.literal(2)]).default(1),
  /** The approvals recorded so far, in order; the step runs once there are `approvalsRequired`. */
  approvals: z.array(StepApproval).default([]),
  /**
   * The person who asked for this step (for a rollback step, whoever requested the rollback): they
   * may not approve it themselves.
   */
  requestedBy: DecisionBy.optional(),
  /** Set once a person approved (the label of the last approver); lifts every hold, and the step does not count as automatic. */
  approvedBy: z.string().optional(),
  /** The verified identity behind `approvedBy`. */
  approvedByActor: OperatorIdentity.optional(),
  rejectedBy: z.string().optional(),
  /** The verified identity behind `rejectedBy`. */
  rejectedByActor: OperatorIdentity.optional(),
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
