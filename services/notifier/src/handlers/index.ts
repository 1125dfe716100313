import type { NotifyAction } from '@ir/contracts';
import type { StepActionTable } from '@ir/runtime';
import { createNotifyFindingWorkflowHandler, type FindingSyncDeps } from './notify-finding-workflow.js';
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
    'notify.finding-workflow': createNotifyFindingWorkflowHandler(deps.findingSync),
  };
}

export {
  createNotifyFindingWorkflowHandler,
  FINDING_SYNC_FAILED,
  type FindingSyncDeps,
} from './notify-finding-workflow.js';
export { createNotifyIncidentHandler, NOTIFICATION_UNDELIVERED, type NotifyDeps } from './notify-incident.js';
