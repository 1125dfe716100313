import type { SQSClient } from '@aws-sdk/client-sqs';
import { physicalQueueName, QueueName, resolveQueue } from '@ir/runtime';
import { awsFailure } from './aws.js';
import { UsageError } from './errors.js';

/** A system queue and its dead-letter queue, resolved to URLs. */
export interface ResolvedQueue {
  readonly logical: QueueName;
  readonly name: string;
  readonly dlqName: string;
  readonly url: string;
  readonly dlqUrl: string;
}

const LOGICAL = Object.values(QueueName);

/**
 * The logical queue an operator named: `findings`, `ir-findings` or `ir-findings-dlq` all mean the
 * findings queue (with the configured prefix). Only the system's five queues are accepted, so a typo
 * cannot drain or fill a queue that belongs to something else.
 */
export function logicalQueue(argument: string, prefix: string, command: string): QueueName {
  const bare = argument.endsWith('-dlq') ? argument.slice(0, -'-dlq'.length) : argument;
  const match = LOGICAL.find((name) => bare === name || bare === physicalQueueName(prefix, name));
  if (match) return match;
  throw new UsageError(
    `unknown queue ${JSON.stringify(argument)}: one of ${LOGICAL.join(', ')} (or ${prefix}-<name>)`,
    command,
  );
}

/** Looks up the queue and its DLQ (from the queue's redrive policy, as the runtime does). */
export async function resolveSystemQueue(
  sqs: SQSClient,
  prefix: string,
  logical: QueueName,
): Promise<ResolvedQueue> {
  const name = physicalQueueName(prefix, logical);
  try {
    const { url, dlqUrl, dlqName } = await resolveQueue(sqs, prefix, logical);
    return { logical, name, dlqName, url, dlqUrl };
  } catch (error: unknown) {
    throw awsFailure(error, `looking up queue ${name} and its dead-letter queue`);
  }
}
