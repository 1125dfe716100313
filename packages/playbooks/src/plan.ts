import type { SeverityBand, StepAction } from '@ir/contracts';

/** The command queue a step goes to, named as in `${IR_PREFIX}-<queue>`. */
export type StepQueue = 'isolator' | 'forensics' | 'notifier';

/** One step of a planned incident: what the coordinator dispatches. */
export interface PlannedStep {
  /** Deterministic, unique in the plan: `snapshot-volumes`, or `isolate-instance:i-0abc` when the step fans out. */
  readonly stepId: string;
  /** The command's message type, e.g. `evidence.snapshot-volumes`, `contain.ec2-instance`, `notify.incident`. */
  readonly action: StepAction;
  /** Which worker performs it (derived from the action). */
  readonly queue: StepQueue;
  /** Exactly the command's `params`, already validated against the action's contracts schema. */
  readonly params: Record<string, unknown>;
  /** Where the step acts: the finding's account; the region of the resource it fans out over, else the finding's. */
  readonly target: { accountId: string; region: string };
  /** Step ids this step waits for (all must have succeeded, or been skipped). */
  readonly after: readonly string[];
  /** `required`: the coordinator holds the step as awaiting-approval until an operator approves it. */
  readonly approval: 'none' | 'required';
  /**
   * How many different people must approve a `required` step (the playbook's `approvers:`); absent
   * means 1. The coordinator raises it to 2 for the actions and holds the two-person rule covers.
   */
  readonly approvers?: 1 | 2;
  /** How long the coordinator waits for a result before it marks the step timed-out and escalates. */
  readonly timeoutSeconds: number;
  /** A `contain.*` step: counts toward the blast radius and MTTI. */
  readonly containment: boolean;
  /** `evidence.seal`: MTTE stops when it succeeds. */
  readonly sealsEvidence: boolean;
}

/**
 * A playbook step (or one fan-out of it) that applied to the finding's severity but could not be
 * planned because the finding lacks what the action needs (e.g. no access key id, no subnet).
 * Why it is reported rather than dropped silently: a person should know a containment did not happen.
 */
export interface OmittedStep {
  readonly stepId: string;
  readonly action: StepAction;
  /** A sentence a person can act on. */
  readonly reason: string;
}

/** What the planner decided for one finding: the DAG of steps, in a deterministic order. */
export interface IncidentPlan {
  readonly playbookId: string;
  readonly severityBand: SeverityBand;
  /** Steps in dependency order (every step comes after the steps it waits for). */
  readonly steps: readonly PlannedStep[];
  /** Statements for the incident record, e.g. that every workload on a role is affected. */
  readonly notes: readonly string[];
  /** Steps the severity called for but the finding's data did not allow; see {@link OmittedStep}. */
  readonly omitted: readonly OmittedStep[];
}
