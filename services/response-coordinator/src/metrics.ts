import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { DECISION_TYPES, RefusalReason } from './decision-signing.js';

/** MTTI/MTTE buckets: 50 ms to 1 h, dense where automation lands (seconds) and sparse after. */
export const RESPONSE_TIME_BUCKETS = [
  0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600,
];

/**
 * MTTR buckets: 1 min to 30 days. People resolve incidents, so the range is minutes to weeks; a
 * dashboard that tops out at an hour would show every incident in the last bucket.
 */
export const RESOLVE_TIME_BUCKETS = [
  60,
  300,
  900,
  1800,
  3600,
  4 * 3600,
  8 * 3600,
  86_400,
  3 * 86_400,
  7 * 86_400,
  14 * 86_400,
  30 * 86_400,
];

/** The coordinator's own metrics, on the runtime's registry. Labels are bounded: never an id. */
export interface CoordinatorMetrics {
  readonly timeToIsolate: Histogram<'playbook' | 'severity'>;
  readonly timeToEvidence: Histogram<'playbook' | 'severity'>;
  readonly incidentsTotal: Counter<'playbook' | 'severity'>;
  /** MTTR by playbook, category and disposition (closed lists: bounded labels). */
  readonly timeToResolve: Histogram<'playbook' | 'category' | 'disposition'>;
  /** Resolved incidents by each distinct finding type they held and their disposition: the FP rate. */
  readonly resolvedByFindingType: Counter<'finding_type' | 'disposition'>;
  /** Containments undone by a rollback, by the containment's action. */
  readonly rollbacks: Counter<'action'>;
  readonly stepsTotal: Counter<'action' | 'outcome'>;
  readonly incidentsOpen: Gauge<'status'>;
  readonly approvalsPending: Gauge;
  /** Commands published from the outbox by someone other than the writer that committed them. */
  readonly outboxRepublished: Counter<'by'>;
  /** Decisions refused because their signature did not prove the operator API sent them. */
  readonly forgedDecisions: Counter<'type' | 'reason'>;
  /**
   * Decisions made on an incident as this replica last wrote it, without reading it: committed, or
   * made again from a fresh read because another writer had moved on (`conflicted`) or because it
   * changed nothing or refused the event (`reread`).
   */
  readonly cachedDecisions: Counter<'result'>;
}

/** Registers the coordinator's metrics on `registry`. */
export function createCoordinatorMetrics(registry: Registry): CoordinatorMetrics {
  const registers = [registry];
  return {
    timeToIsolate: new Histogram({
      name: 'ir_time_to_isolate_seconds',
      help: 'MTTI: from detection receiving the first finding to the first containment step succeeding.',
      labelNames: ['playbook', 'severity'],
      buckets: RESPONSE_TIME_BUCKETS,
      registers,
    }),
    timeToEvidence: new Histogram({
      name: 'ir_time_to_evidence_seconds',
      help: 'MTTE: from detection receiving the first finding to the evidence being sealed.',
      labelNames: ['playbook', 'severity'],
      buckets: RESPONSE_TIME_BUCKETS,
      registers,
    }),
    incidentsTotal: new Counter({
      name: 'ir_incidents_total',
      help: 'Incidents opened, by playbook and severity band.',
      labelNames: ['playbook', 'severity'],
      registers,
    }),
    timeToResolve: new Histogram({
      name: 'ir_time_to_resolve_seconds',
      help: 'MTTR: from detection receiving the first finding to an operator resolving the incident, by playbook, category and disposition.',
      labelNames: ['playbook', 'category', 'disposition'],
      buckets: RESOLVE_TIME_BUCKETS,
      registers,
    }),
    resolvedByFindingType: new Counter({
      name: 'ir_incidents_resolved_total',
      help: 'Resolved incidents, once per distinct finding type they held, by disposition. False-positive rate of a type: its false-positive share.',
      labelNames: ['finding_type', 'disposition'],
      registers,
    }),
    rollbacks: new Counter({
      name: 'ir_rollbacks_total',
      help: 'Containments undone by a rollback step that succeeded, by the containment action.',
      labelNames: ['action'],
      registers,
    }),
    stepsTotal: new Counter({
      name: 'ir_steps_total',
      help: 'Step outcomes recorded (succeeded, failed, timed_out, rejected), by action.',
      labelNames: ['action', 'outcome'],
      registers,
    }),
    incidentsOpen: new Gauge({
      name: 'ir_incidents_open',
      help: 'Incidents not yet resolved, by status (refreshed by the sweeper).',
      labelNames: ['status'],
      registers,
    }),
    approvalsPending: new Gauge({
      name: 'ir_approvals_pending',
      help: 'Steps waiting for an operator approval (refreshed by the sweeper).',
      registers,
    }),
    outboxRepublished: new Counter({
      name: 'ir_outbox_republished_total',
      help: 'Commands published from the outbox by the next writer or the sweeper, because the writer that committed them did not (crashed, or lost a race); by who published them.',
      labelNames: ['by'],
      registers,
    }),
    forgedDecisions: forgedDecisionsCounter(registers),
    cachedDecisions: new Counter({
      name: 'ir_coordinator_cached_decisions_total',
      help: 'Decisions made on an incident as this replica last wrote it, without reading it first: committed, conflicted (another writer moved on; decided again from a fresh read) or reread (on the cached incident it changed nothing or refused the event; decided again from a fresh read).',
      labelNames: ['result'],
      registers,
    }),
  };
}

/**
 * Every series starts at 0 (the label sets are known), so `increase()` sees the first forged decision:
 * a series born at 1 has no earlier sample, and an alert on its increase would never fire.
 */
function forgedDecisionsCounter(registers: Registry[]): Counter<'type' | 'reason'> {
  const counter = new Counter({
    name: 'ir_coordinator_forged_decisions_total',
    help: 'Operator decisions on the coordinator queue refused because their signature is missing, malformed, from an unknown key or does not match (sent to the DLQ; alert on any increase).',
    labelNames: ['type', 'reason'],
    registers,
  });
  for (const type of DECISION_TYPES) {
    for (const reason of Object.values(RefusalReason)) counter.inc({ type, reason }, 0);
  }
  return counter;
}
