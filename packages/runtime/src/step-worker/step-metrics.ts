import { Counter, Histogram, type Registry } from 'prom-client';

/**
 * Outcomes of one step command, a bounded label set. `retried`: a transient error, the command goes
 * back to the queue; `expired`: it arrived after its deadline, so no answer was produced; `held`: a
 * protected resource, answered as `step.held`.
 */
export const StepMetricOutcome = {
  succeeded: 'succeeded',
  skipped: 'skipped',
  failed: 'failed',
  held: 'held',
  retried: 'retried',
  dryRun: 'dry_run',
  deferred: 'deferred',
  expired: 'expired',
  replayed: 'replayed',
} as const;
export type StepMetricOutcome = (typeof StepMetricOutcome)[keyof typeof StepMetricOutcome];

/** The step worker's metrics, the same names in every service that executes steps. */
export interface StepMetrics {
  readonly stepsTotal: Counter<'action' | 'outcome'>;
  readonly stepDuration: Histogram<'action'>;
  readonly verificationFailuresTotal: Counter<'action'>;
}

/** Registers the step metrics on a service's registry (labels bounded: action, outcome). */
export function createStepMetrics(registry: Registry): StepMetrics {
  return {
    stepsTotal: new Counter({
      name: 'ir_step_executions_total',
      help: 'Step commands handled, by action and outcome (succeeded, skipped, failed, held, retried, dry_run, deferred, expired, replayed).',
      labelNames: ['action', 'outcome'],
      registers: [registry],
    }),
    stepDuration: new Histogram({
      name: 'ir_step_execution_duration_seconds',
      help: 'Time to execute and verify one step action, by action.',
      labelNames: ['action'],
      buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900],
      registers: [registry],
    }),
    verificationFailuresTotal: new Counter({
      name: 'ir_step_verification_failures_total',
      help: 'Actions whose read-back did not show the change made (reported as step.failed).',
      labelNames: ['action'],
      registers: [registry],
    }),
  };
}
