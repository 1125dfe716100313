import type { NotifyAction } from '@ir/contracts';
import { lazyHandler, type StepActionTable } from '@ir/runtime';
import type { FindingSyncDeps } from './notify-finding-workflow.js';
import { createNotifyIncidentHandler, type NotifyDeps } from './notify-incident.js';

/** The step commands the notifier executes (the message types of its queue). */
export type NotifierAction = NotifyAction;

/**
 * The notifier's action table for the step worker: one handler per action, exhaustive by type. The
 * step worker parses, checks the deadline, runs the action and answers the coordinator.
 */
export function createHandlers(
  deps: NotifyDeps & { readonly findingSync: FindingSyncDeps },
): StepActionTable<NotifierAction> {
  return {
    'notify.incident': createNotifyIncidentHandler(deps),
    // Imported on first use: it loads the GuardDuty client package, which most incidents never need.
    'notify.finding-workflow': lazyHandler(async () =>
      (await import('./notify-finding-workflow.js')).createNotifyFindingWorkflowHandler(deps.findingSync),
    ),
  };
}

// The finding-workflow module itself is not re-exported: that would load it (and GuardDuty) at start.
export type { FindingSyncDeps } from './notify-finding-workflow.js';
export { createNotifyIncidentHandler, NOTIFICATION_UNDELIVERED, type NotifyDeps } from './notify-incident.js';
