import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  type QueueAttributeName,
  SetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { physicalQueueName, QueueName } from '@ir/runtime';
import { isAwsError } from '../aws-errors.js';
import { ResourceSetupError } from '../errors.js';
import type { Changes } from './changes.js';

/** The five work queues, in the order messages flow through them (the runtime's `QueueName`). */
export const QUEUE_NAMES: readonly QueueName[] = Object.values(QueueName);

/** `${prefix}-findings` … `${prefix}-notifier`; each has a dead-letter queue `<name>-dlq`. */
export function queueNames(prefix = 'ir'): Record<QueueName, string> {
  return Object.fromEntries(QUEUE_NAMES.map((name) => [name, physicalQueueName(prefix, name)])) as Record<
    QueueName,
    string
  >;
}

/** A work queue and its dead-letter queue. */
export interface QueueWithDlq {
  readonly url: string;
  readonly arn: string;
  readonly dlqUrl: string;
  readonly dlqArn: string;
}

export interface QueueSettings {
  readonly maxReceiveCount: number;
}

/** SQS's maximum, so a poisoned message stays long enough to be inspected and redriven. */
const DLQ_RETENTION_SECONDS = 14 * 24 * 3600;
/** Longer than a worker's typical step; workers extend it for long work. */
const VISIBILITY_TIMEOUT_SECONDS = 60;
/** Long polling: fewer empty receives. */
const RECEIVE_WAIT_SECONDS = 20;

/** Ensures the queue `name` and `<name>-dlq` exist with the intended settings. */
export async function ensureQueueWithDlq(
  sqs: SQSClient,
  name: string,
  settings: QueueSettings,
  changes: Changes,
): Promise<QueueWithDlq> {
  const dlq = await ensureQueue(
    sqs,
    `${name}-dlq`,
    { MessageRetentionPeriod: String(DLQ_RETENTION_SECONDS) },
    changes,
  );
  const redrivePolicy = JSON.stringify({
    deadLetterTargetArn: dlq.arn,
    maxReceiveCount: settings.maxReceiveCount,
  });
  const queue = await ensureQueue(
    sqs,
    name,
    {
      VisibilityTimeout: String(VISIBILITY_TIMEOUT_SECONDS),
      ReceiveMessageWaitTimeSeconds: String(RECEIVE_WAIT_SECONDS),
      RedrivePolicy: redrivePolicy,
    },
    changes,
  );
  return { url: queue.url, arn: queue.arn, dlqUrl: dlq.url, dlqArn: dlq.arn };
}

type QueueAttributes = Partial<Record<QueueAttributeName, string>>;

async function ensureQueue(
  sqs: SQSClient,
  name: string,
  desired: QueueAttributes,
  changes: Changes,
): Promise<{ url: string; arn: string }> {
  let url = await findQueueUrl(sqs, name);
  if (url === undefined) {
    try {
      url = (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: desired }))).QueueUrl;
      changes.created.push(`sqs:${name}`);
    } catch (error: unknown) {
      // Created meanwhile by someone else with other attributes: converge it below.
      if (!isAwsError(error, 'QueueAlreadyExists', 'QueueNameExists')) throw error;
      url = await findQueueUrl(sqs, name);
    }
  }
  if (url === undefined) throw new ResourceSetupError(`queue ${name} has no URL`, { context: { name } });

  const { Attributes: actual = {} } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }),
  );
  const drift = Object.fromEntries(
    Object.entries(desired).filter(
      ([key, value]) => !sameAttribute(key, actual[key as QueueAttributeName], value),
    ),
  );
  if (Object.keys(drift).length > 0) {
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: drift }));
    changes.updated.push(`sqs:${name}(${Object.keys(drift).join(',')})`);
  }
  const arn = actual.QueueArn;
  if (!arn) throw new ResourceSetupError(`queue ${name} has no ARN`, { context: { url } });
  return { url, arn };
}

async function findQueueUrl(sqs: SQSClient, name: string): Promise<string | undefined> {
  try {
    return (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl;
  } catch (error: unknown) {
    if (isAwsError(error, 'QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue')) return undefined;
    throw error;
  }
}

/** Compares by meaning: a redrive policy's `maxReceiveCount` may come back as a string or a number. */
function sameAttribute(key: string, actual: string | undefined, desired: string): boolean {
  if (actual === undefined) return false;
  if (key !== 'RedrivePolicy') return actual === desired;
  const a = parseRedrive(actual);
  const d = parseRedrive(desired);
  return a?.deadLetterTargetArn === d?.deadLetterTargetArn && a?.maxReceiveCount === d?.maxReceiveCount;
}

function parseRedrive(text: string): { deadLetterTargetArn: unknown; maxReceiveCount: number } | undefined {
  try {
    const parsed = JSON.parse(text) as { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown };
    return {
      deadLetterTargetArn: parsed.deadLetterTargetArn,
      maxReceiveCount: Number(parsed.maxReceiveCount),
    };
  } catch {
    return undefined;
  }
}
