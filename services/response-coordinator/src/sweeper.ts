import type { Logger } from '@ir/runtime';
import { type ApplyDeps, applyToIncident } from './handlers/apply.js';
import { activeStatuses, unresolvedStatuses } from './model.js';
import { tick } from './state/tick.js';

/** Periodic look for timed-out steps and overdue approvals; also refreshes the gauges. */
export interface Sweeper {
  /** One pass over every active incident. */
  sweep(): Promise<void>;
  start(): void;
  /** Stops the timer and waits for a pass in progress. */
  stop(): Promise<void>;
}

const LIST_LIMIT = 1000;

/**
 * Builds the sweeper. Why a sweep and not a timer per step: a timer dies with its replica, while
 * the deadlines are in the table and any replica can act on them; ticks go through the same
 * conditional write as messages, so two replicas sweeping at once escalate once.
 */
export function createSweeper(deps: ApplyDeps, logger: Logger, intervalMs: number): Sweeper {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;

  const sweepIncident = async (incidentId: string): Promise<number> => {
    const log = logger.child({ incidentId, component: 'sweeper' });
    await applyToIncident(
      deps,
      {
        incidentId,
        causationId: null,
        eventKey: (aggregate) => `tick:${incidentId}:${aggregate?.version ?? 0}`,
        decide: (aggregate, context) => (aggregate ? tick(aggregate, context) : undefined),
      },
      log,
    );
    const { aggregate } = await deps.repository.load(incidentId);
    return aggregate?.steps.filter((step) => step.status === 'awaiting-approval').length ?? 0;
  };

  const sweep = async () => {
    let pending = 0;
    for (const status of activeStatuses) {
      for (const { incident } of await deps.repository.list(status, LIST_LIMIT)) {
        try {
          pending += await sweepIncident(incident.incidentId);
        } catch (error: unknown) {
          logger.error({ err: error, incidentId: incident.incidentId }, 'incident_sweep_failed');
        }
      }
    }
    deps.metrics.approvalsPending.set(pending);
    for (const status of unresolvedStatuses) {
      deps.metrics.incidentsOpen.set({ status }, await deps.repository.count(status));
    }
  };

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = sweep()
        .catch((error: unknown) => logger.error({ err: error }, 'sweep_failed'))
        .finally(() => {
          running = undefined;
          schedule();
        });
    }, intervalMs);
  };

  return {
    sweep,
    start() {
      stopped = false;
      if (!timer) schedule();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
