import type { NotifyStage } from '@ir/contracts';
import type { Draft } from './draft.js';

/** Options of {@link raiseNotification}. */
export interface NotificationOptions {
  readonly details?: Record<string, unknown>;
  /** Ask the notifier to page on-call whatever the band's routing (carried as `details.page`). */
  readonly page?: boolean;
}

/**
 * Adds a `notify.incident` step the coordinator raises on its own (a step failed, an approval is
 * needed or overdue, rolled back, resolved). Its id is `notify:<key>`, so raising the same
 * notification twice (a replayed event, a second replica) sends it once. Why a step rather than a
 * bare message: its delivery is tracked and a failure to notify shows on the incident.
 */
export function raiseNotification(
  draft: Draft,
  key: string,
  stage: NotifyStage,
  summary: string,
  options: NotificationOptions = {},
): void {
  const incident = draft.incident;
  const details = {
    ...(options.details ?? {}),
    ...(options.page ? { page: true } : {}),
    ...(incident.notes.length > 0 ? { notes: incident.notes } : {}),
    ...(incident.dryRun ? { dryRun: true } : {}),
  };
  draft.addCoordinatorStep({
    stepId: `notify:${key}`,
    action: 'notify.incident',
    queue: 'notifier',
    params: {
      stage,
      severityBand: incident.severityBand,
      summary,
      ...(Object.keys(details).length > 0 ? { details } : {}),
    },
    target: incident.target,
    timeoutSeconds: draft.context.settings.notifyTimeoutSeconds,
  });
}
