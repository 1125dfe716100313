import type { Logger } from '@ir/runtime';
import { type ApplyDeps, applyToIncident, flushOutbox } from './handlers/apply.js';
import { escalateOverdueSteps } from './state/escalate-overdue-steps.js';
import { activeStatuses, OUTBOX_GRACE_MS, unresolvedStatuses } from './model.js';

/**
 * Periodic look for commands committed but never published, timed-out steps and overdue approvals;
 * also refreshes the gauges.
 */
export interface Sweeper {
  /** One pass over every active incident. */
  sweep(): Promise<void>;
  start(): void;
  /** Stops the timer and waits for a pass in progress. */
  stop(): Promise<void>;
}

const LIST_LIMIT = 1000;

export { OUTBOX_GRACE_MS };

/**
 * Builds the sweeper. Why a sweep and not a timer per step: a timer dies with its replica, while
 * the deadlines are in the table and any replica can act on them; ticks go through the same
 * conditional write as messages, so two replicas sweeping at once escalate once.
 */
export function createSweeper(
  deps: ApplyDeps,
  logger: Logger,
  intervalMs: number,
  options: { readonly outboxGraceMs?: number } = {},
): Sweeper {
  const outboxGraceMs = options.outboxGraceMs ?? OUTBOX_GRACE_MS;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;

  const sweepIncident = async (incidentId: string): Promise<number> => {
    const log = logger.child({ incidentId, component: 'sweeper' });
    // The incident as the tick read it or left it: counting from a second read cost a Query per open
    // incident per sweep. (A tick that changes nothing is always decided on a fresh read.)
    const { aggregate } = await applyToIncident(
      deps,
      {
        incidentId,
        causationId: null,
        eventKey: (aggregate) => `tick:${incidentId}:${aggregate?.version ?? 0}`,
        decide: (aggregate, context) => (aggregate ? escalateOverdueSteps(aggregate, context) : undefined),
      },
      log,
    );
    return aggregate?.steps.filter((step) => step.status === 'awaiting-approval').length ?? 0;
  };

  /**
   * Publishes what crashed writers left in any incident's outbox, whatever its status: the incident may
   * have been resolved or completed by the very transition whose commands were never sent, and the
   * message that caused it may be gone (dead-lettered after its commit), so nothing else would.
   */
  const republishStale = async () => {
    const stale = await deps.repository.staleOutbox(new Date(Date.now() - outboxGraceMs), LIST_LIMIT);
    const byIncident = new Map<string, Set<string>>();
    for (const { incidentId, messageId } of stale) {
      byIncident.set(incidentId, (byIncident.get(incidentId) ?? new Set()).add(messageId));
    }
    for (const [incidentId, messageIds] of byIncident) {
      try {
        // Read again, consistently: the index lags, and the entries may have been published since.
        const { outbox } = await deps.repository.loadForDecision(incidentId);
        const pending = outbox.filter((entry) => messageIds.has(entry.messageId));
        if (pending.length === 0) continue;
        await flushOutbox(deps, incidentId, pending);
        deps.metrics.outboxRepublished.inc({ by: 'sweeper' }, pending.length);
        logger.warn(
          { incidentId, component: 'sweeper', messages: pending.map((entry) => entry.messageId) },
          'outbox_republished',
        );
      } catch (error: unknown) {
        logger.error({ err: error, incidentId, component: 'sweeper' }, 'outbox_republish_failed');
      }
    }
  };

  const sweep = async () => {
    // A failure here must not stop the look for timed-out steps below.
    await republishStale().catch((error: unknown) => logger.error({ err: error }, 'outbox_sweep_failed'));
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
    // Settled incidents are not listed by status, but a step still dispatched in one (the report of a
    // resolved incident, a notice sent as it completed) times out like any other: never silent.
    const overdue = await deps.repository
      .settledWithOverdueSteps(deps.clock(), LIST_LIMIT)
      .catch((error: unknown) => {
        logger.error({ err: error }, 'settled_sweep_failed');
        return [];
      });
    for (const incidentId of overdue) {
      try {
        await sweepIncident(incidentId);
      } catch (error: unknown) {
        logger.error({ err: error, incidentId }, 'incident_sweep_failed');
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
