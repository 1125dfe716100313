import { Counter, Histogram, type Registry } from 'prom-client';

/** The isolator's own metrics, on the runtime's registry. Labels are bounded: action and outcome. */
export interface IsolatorMetrics {
  /** outcome: succeeded, failed, retried, dry_run. */
  readonly actionsTotal: Counter<'action' | 'outcome'>;
  readonly actionDuration: Histogram<'action'>;
  readonly verificationFailuresTotal: Counter<'action'>;
}

/** Registers the isolator's metrics on `registry`. */
export function createIsolatorMetrics(registry: Registry): IsolatorMetrics {
  return {
    actionsTotal: new Counter({
      name: 'ir_isolator_actions_total',
      help: 'Containment and rollback commands handled, by action and outcome (succeeded, failed, retried, dry_run).',
      labelNames: ['action', 'outcome'],
      registers: [registry],
    }),
    actionDuration: new Histogram({
      name: 'ir_isolator_action_duration_seconds',
      help: 'Time to execute and verify one containment or rollback action.',
      labelNames: ['action'],
      buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
      registers: [registry],
    }),
    verificationFailuresTotal: new Counter({
      name: 'ir_isolator_verification_failures_total',
      help: 'Actions whose read-back did not show the change made (reported as step.failed).',
      labelNames: ['action'],
      registers: [registry],
    }),
  };
}
