import type {
  IncidentRecord,
  IncidentStatus,
  PayloadOf,
  SeverityBand,
  StepRecord,
  TimelineEntry,
} from '@ir/contracts';
import { deterministicUuid } from '../ids.js';
import { type IncidentAggregate, type OutboxEntry, settledStatuses } from '../model.js';

/** What a decision needs besides the incident: time, settings, and the blast-radius budget left. */
export interface DecisionContext {
  readonly now: Date;
  /** Id of the message being handled (null for the sweeper's ticks): the commands' causationId. */
  readonly causationId: string | null;
  /** Names this event in ids derived from it (the message id, or the tick's key). */
  readonly eventKey: string;
  /** Automatic containments still allowed in the current window. */
  readonly blastAvailable: number;
  readonly settings: DecisionSettings;
  /** The incident's timeline as loaded (absent for a new incident); the incident report reads it. */
  readonly timeline?: readonly TimelineEntry[];
}

/** Settings from the config that shape decisions. */
export interface DecisionSettings {
  readonly producer: string;
  readonly protectedTag: { readonly key: string; readonly value: string };
  readonly approvalTimeoutSeconds: number;
  readonly notifyTimeoutSeconds: number;
  /** Bands whose `evidence.clean-room` steps need no approval (`IR_AUTO_APPROVE_CLEAN_ROOM`). */
  readonly autoApproveCleanRoom?: readonly SeverityBand[];
  /** Marking findings at their source (`IR_FINDING_SYNC`, state/finding-sync.ts); absent: off. */
  readonly findingSync?: FindingSyncSettings;
}

/** Settings of the finding sync steps (state/finding-sync.ts). */
export interface FindingSyncSettings {
  /** `IR_GUARDDUTY_ARCHIVE_FALSE_POSITIVES`: archive GuardDuty findings of a false positive. */
  readonly archiveGuardDutyFalsePositives: boolean;
  /** `IR_CONSOLE_PUBLIC_URL`: the origin the note links the incident's console page on. */
  readonly consoleUrl?: string | undefined;
}

/** Something to record in metrics once the decision is committed. */
export interface Observations {
  incidentOpened?: { playbook: string; severity: SeverityBand };
  mttiSeconds?: number;
  mtteSeconds?: number;
  /** The incident was resolved: MTTR and its labels, and the distinct types of its findings. */
  resolved?: {
    playbook: string;
    category: string;
    disposition: string;
    seconds: number;
    findingTypes: readonly string[];
  };
  /** Containment actions undone by a rollback step that succeeded. */
  rolledBack?: string[];
  stepOutcomes: { action: string; outcome: string }[];
}

/** Everything one decision changes; committed in one conditional transaction. */
export interface Transition {
  readonly incident: IncidentRecord;
  /** The version read (0 when the incident is new); the write is conditional on it. */
  readonly expectedVersion: number;
  readonly isNew: boolean;
  readonly steps: readonly StepRecord[];
  readonly timeline: readonly TimelineEntry[];
  readonly outbox: readonly OutboxEntry[];
  /** Findings to store whole (`FINDING#` items). */
  readonly findings: readonly PayloadOf<'incident.opened'>['finding'][];
  readonly blastUsed: number;
  readonly observations: Observations;
  /** The message being handled (null for the sweeper's ticks); stored with the outbox entries. */
  readonly causationId: string | null;
  /**
   * For an incident in a settled status (the sweep does not list it): the earliest deadline of its
   * dispatched steps, or null when none is left to time out. Undefined for any other status.
   */
  readonly settledDeadline?: string | null;
}

/**
 * A mutable copy of an incident that a decision changes step by step, remembering what changed so
 * that only those items are written. Decisions are pure functions of (aggregate, event, context).
 */
export class Draft {
  incident: IncidentRecord;
  readonly expectedVersion: number;
  readonly isNew: boolean;
  readonly context: DecisionContext;
  private readonly stepMap: Map<string, StepRecord>;
  private readonly changed = new Set<string>();
  private readonly entries: TimelineEntry[] = [];
  readonly outbox: OutboxEntry[] = [];
  readonly findings: Transition['findings'][number][] = [];
  private incidentChanged = false;
  blastAvailable: number;
  blastUsed = 0;
  readonly observations: Observations = { stepOutcomes: [] };

  constructor(base: IncidentAggregate | { incident: IncidentRecord; isNew: true }, context: DecisionContext) {
    this.incident = base.incident;
    this.context = context;
    this.blastAvailable = context.blastAvailable;
    if ('version' in base) {
      this.expectedVersion = base.version;
      this.isNew = false;
      this.stepMap = new Map(base.steps.map((step) => [step.stepId, step]));
    } else {
      this.expectedVersion = 0;
      this.isNew = true;
      this.incidentChanged = true;
      this.stepMap = new Map();
    }
  }

  /** The current time as ISO text. */
  get nowIso(): string {
    return this.context.now.toISOString();
  }

  /** Steps in plan order. */
  get steps(): StepRecord[] {
    return [...this.stepMap.values()].sort((a, b) => a.order - b.order);
  }

  step(stepId: string): StepRecord | undefined {
    return this.stepMap.get(stepId);
  }

  /** Adds a step at the end of the plan; a step id already present is left alone (idempotent). */
  addStep(step: Omit<StepRecord, 'order'>): boolean {
    if (this.stepMap.has(step.stepId)) return false;
    this.stepMap.set(step.stepId, { ...step, order: this.stepMap.size });
    this.changed.add(step.stepId);
    return true;
  }

  /**
   * Adds a step the coordinator raises on its own (a notification, a teardown, the report): no
   * approval, no dependencies, pending now. Same id twice adds it once.
   */
  addCoordinatorStep(
    step: Pick<StepRecord, 'stepId' | 'action' | 'queue' | 'params' | 'target' | 'timeoutSeconds'>,
  ): boolean {
    return this.addStep({
      ...step,
      after: [],
      approval: 'none',
      containment: false,
      sealsEvidence: false,
      origin: 'coordinator',
      status: 'pending',
      holdReasons: [],
      approvalsRequired: 1,
      approvals: [],
      escalations: 0,
      countedAutomatic: false,
    });
  }

  updateStep(stepId: string, patch: Partial<StepRecord>): StepRecord {
    const current = this.stepMap.get(stepId);
    if (!current) throw new Error(`no step ${stepId}`);
    const next = { ...current, ...patch };
    this.stepMap.set(stepId, next);
    this.changed.add(stepId);
    return next;
  }

  updateIncident(patch: Partial<IncidentRecord>): void {
    this.incident = { ...this.incident, ...patch };
    this.incidentChanged = true;
  }

  setStatus(status: IncidentStatus): void {
    if (this.incident.status !== status) this.updateIncident({ status });
  }

  /** Appends a timeline entry whose id derives from the event, so replaying the event adds nothing new. */
  record(kind: string, detail?: Record<string, unknown>, stepId?: string): void {
    const entryId = deterministicUuid(this.context.eventKey, kind, stepId ?? '', String(this.entries.length));
    this.entries.push({
      at: this.nowIso,
      entryId,
      kind,
      ...(stepId ? { stepId } : {}),
      ...(detail ? { detail } : {}),
    });
    this.incidentChanged = true;
  }

  /** Timeline entries this decision has recorded so far. */
  get recorded(): readonly TimelineEntry[] {
    return this.entries;
  }

  /** True when the decision changes nothing. */
  get isEmpty(): boolean {
    return !this.incidentChanged && this.changed.size === 0 && this.outbox.length === 0;
  }

  /** The transition to commit. */
  toTransition(): Transition {
    return {
      incident: { ...this.incident, updatedAt: this.nowIso },
      expectedVersion: this.expectedVersion,
      isNew: this.isNew,
      steps: [...this.changed].map((id) => this.stepMap.get(id)).filter((s) => s !== undefined),
      timeline: this.entries,
      outbox: this.outbox,
      findings: this.findings,
      blastUsed: this.blastUsed,
      observations: this.observations,
      causationId: this.context.causationId,
      ...this.settledDeadline(),
    };
  }

  /** See {@link Transition.settledDeadline}. */
  private settledDeadline(): Pick<Transition, 'settledDeadline'> {
    if (!(settledStatuses as readonly string[]).includes(this.incident.status)) return {};
    const deadlines = this.steps
      .filter((step) => step.status === 'dispatched' && step.deadlineAt !== undefined)
      .map((step) => step.deadlineAt as string)
      .sort();
    return { settledDeadline: deadlines[0] ?? null };
  }
}
