import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SystemQueueName } from '@ir/contracts';
import { type QueueEndpoints, resolveQueue } from '@ir/runtime';

/** Looks up a system queue and its DLQ (URLs and physical names); see {@link systemQueues}. */
export type SystemQueues = (queue: SystemQueueName) => Promise<QueueEndpoints>;

/**
 * The five work queues and their DLQs, resolved on first use and kept (a failed lookup is forgotten,
 * so the next request tries again). Why lazily: the DLQ view is for operators, and a queue the
 * coordinator cannot look up (a missing grant, a queue not deployed yet) must not stop it from
 * handling incidents at start; only the DLQ routes answer 503.
 */
export function systemQueues(sqs: SQSClient, prefix: string): SystemQueues {
  const resolved = new Map<SystemQueueName, Promise<QueueEndpoints>>();
  return (queue) => {
    let lookup = resolved.get(queue);
    if (!lookup) {
      lookup = resolveQueue(sqs, prefix, queue);
      resolved.set(queue, lookup);
      lookup.catch(() => resolved.delete(queue));
    }
    return lookup;
  };
}
