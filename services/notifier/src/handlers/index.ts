import type { AcceptedMessage, HandlerContext, ParsedMessage } from '@ir/runtime';
import { createNotifyIncidentHandler, type NotifyDeps } from './notify-incident.js';

/** The message types the notifier queue carries. */
export const NOTIFIER_TYPES = ['notify.incident'] as const;
/** A message the notifier handles. */
export type NotifierMessage = AcceptedMessage<(typeof NOTIFIER_TYPES)[number]>;

/** The handlers of the notifier, by message type, and the dispatcher the worker calls. */
export function createHandlers(deps: NotifyDeps) {
  const notifyIncident = createNotifyIncidentHandler(deps);
  return {
    notifyIncident,
    /** Dispatches on `type`; the parser has already refused every other type (non-retryable). */
    async handle(message: ParsedMessage<NotifierMessage>, context: HandlerContext): Promise<void> {
      await notifyIncident(message.value, context);
    },
  };
}

export type { NotifyDeps } from './notify-incident.js';
