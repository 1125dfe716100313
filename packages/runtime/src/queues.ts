import { GetQueueAttributesCommand, GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** The five queues of the system, by logical name. */
export const QueueName = {
  findings: 'findings',
  coordinator: 'coordinator',
  isolator: 'isolator',
  forensics: 'forensics',
  notifier: 'notifier',
} as const;
export type QueueName = (typeof QueueName)[keyof typeof QueueName];

/** `${prefix}-${name}` and `${prefix}-${name}-dlq`, as ARCHITECTURE.md names them. */
export function physicalQueueName(prefix: string, name: QueueName, dlq = false): string {
  return `${prefix}-${name}${dlq ? '-dlq' : ''}`;
}

/** A queue and its dead-letter queue. */
export interface QueueEndpoints {
  readonly url: string;
  readonly dlqUrl: string;
  /** The queue's physical name, `${prefix}-${name}`. */
  readonly queueName: string;
  /** The DLQ's physical name, from the queue's redrive policy (else `${prefix}-${name}-dlq`). */
  readonly dlqName: string;
}

/**
 * Looks up a queue and its DLQ. The DLQ is taken from the queue's redrive policy when it has one (the
 * source of truth in AWS), else by the naming convention.
 */
export async function resolveQueue(sqs: SQSClient, prefix: string, name: QueueName): Promise<QueueEndpoints> {
  const queueName = physicalQueueName(prefix, name);
  const url = (await sqs.send(new GetQueueUrlCommand({ QueueName: queueName }))).QueueUrl;
  if (!url) throw new Error(`queue ${queueName} has no URL`);
  const attributes = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['RedrivePolicy'] }),
  );
  const redrive = attributes.Attributes?.RedrivePolicy;
  const dlqName =
    (redrive
      ? (JSON.parse(redrive) as { deadLetterTargetArn: string }).deadLetterTargetArn.split(':').pop()
      : undefined) ?? physicalQueueName(prefix, name, true);
  const dlqUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: dlqName }))).QueueUrl;
  if (!dlqUrl) throw new Error(`dead-letter queue ${dlqName} has no URL`);
  return { url, dlqUrl, queueName, dlqName };
}

/** Resolves the URL of every named queue (no DLQs), for publishers. */
export async function resolveQueueUrls<N extends QueueName>(
  sqs: SQSClient,
  prefix: string,
  names: readonly N[],
): Promise<Record<N, string>> {
  const entries = await Promise.all(
    names.map(async (name) => {
      const output = await sqs.send(new GetQueueUrlCommand({ QueueName: physicalQueueName(prefix, name) }));
      if (!output.QueueUrl) throw new Error(`queue ${physicalQueueName(prefix, name)} has no URL`);
      return [name, output.QueueUrl] as const;
    }),
  );
  return Object.fromEntries(entries) as Record<N, string>;
}
