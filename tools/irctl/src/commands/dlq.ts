import { DeleteMessageCommand, type Message, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { integerOption, positional } from '../args.js';
import { awsFailure } from '../aws.js';
import type { CommandContext, CommandSpec, ParsedArgs } from '../command.js';
import { describeDeadLetter, receiveBatch, redriveAttributes, releaseMessages } from '../dlq-messages.js';
import { ExitCode } from '../errors.js';
import { renderTable } from '../format/table.js';
import { toJson } from '../format/text.js';
import { logicalQueue, type ResolvedQueue, resolveSystemQueue } from '../queues.js';

const QUEUE_HELP =
  'the queue by logical name (findings, coordinator, isolator, forensics, notifier) or as <IR_PREFIX>-<name>';

/** What both dlq commands start from: the checked `--limit`, the resolved queue and the SQS client. */
async function dlqTarget(
  args: ParsedArgs,
  context: CommandContext,
  command: string,
  limits: { fallback: number; max: number },
): Promise<{ limit: number; queue: ResolvedQueue; sqs: SQSClient }> {
  const limit = integerOption(args, 'limit', limits.fallback, { min: 1, max: limits.max }, command);
  const { IR_PREFIX: prefix } = context.config;
  const sqs = context.aws.sqs();
  const queue = await resolveSystemQueue(sqs, prefix, logicalQueue(positional(args, 0), prefix, command));
  return { limit, queue, sqs };
}

/** `irctl dlq list <queue>`: what is in `<queue>-dlq`, each message with its reason. */
export const dlqListCommand: CommandSpec = {
  name: 'dlq list',
  summary: "list a queue's dead-lettered messages with each one's reason",
  positionals: ['<queue>'],
  options: {
    limit: { type: 'string', valueName: '<n>', help: 'at most n messages (1-1000, default 100)' },
    wide: { type: 'boolean', help: 'do not cut the detail column' },
  },
  details: [
    QUEUE_HELP,
    'Messages are received and made visible again at once, so listing leaves the DLQ as it was. A message',
    'without ir-dlq-reason was moved by the redrive policy after its retries ran out (reason retries-exhausted).',
  ],
  async run(args, context) {
    const { limit, queue, sqs } = await dlqTarget(args, context, 'dlq list', { fallback: 100, max: 1000 });
    const received = new Map<string, Message>();
    try {
      for (;;) {
        const batch = await receiveBatch(sqs, queue.dlqUrl, 30, limit - received.size);
        const fresh = batch.filter((message) => message.MessageId && !received.has(message.MessageId));
        for (const message of fresh) received.set(message.MessageId ?? '', message);
        if (fresh.length === 0 || received.size >= limit) break;
      }
    } catch (error: unknown) {
      throw awsFailure(error, `reading ${queue.dlqName}`);
    } finally {
      const unreleased = await releaseMessages(sqs, queue.dlqUrl, [...received.values()]).catch(
        () => received.size,
      );
      if (unreleased > 0)
        context.err(`warning: ${unreleased} message(s) stay hidden for up to 30 s (could not release them)`);
    }
    const letters = [...received.values()].map(describeDeadLetter);
    if (args.values.json === true) {
      context.out(
        toJson({ queue: queue.name, dlq: queue.dlqName, count: letters.length, messages: letters }),
      );
      return ExitCode.ok;
    }
    context.out(
      `${queue.dlqName}: ${letters.length} message(s)${letters.length >= limit ? ` (first ${limit}; --limit for more)` : ''}`,
    );
    if (letters.length === 0) return ExitCode.ok;
    context.out(
      renderTable(
        [
          { heading: 'MESSAGE', max: 36 },
          { heading: 'FAILED AT' },
          { heading: 'REASON' },
          { heading: 'ERROR' },
          { heading: 'RECEIVES' },
          { heading: 'TYPE' },
          { heading: 'INCIDENT', max: 36 },
          { heading: 'DETAIL', max: args.values.wide === true ? 100_000 : 80 },
        ],
        letters.map((l) => [
          l.messageId,
          l.failedAt ?? '',
          l.reason,
          l.error ?? '',
          l.receiveCount ?? '',
          l.type ?? '',
          l.incidentId ?? '',
          l.detail ?? '',
        ]),
      ),
    );
    return ExitCode.ok;
  },
};

/** One message the redrive could not move, and at which stage. */
interface RedriveFailure {
  readonly messageId: string;
  readonly stage: 'send' | 'delete';
  readonly error: string;
}

/**
 * `irctl dlq redrive <queue>`: moves messages from `<queue>-dlq` back to `<queue>`. Each is sent first
 * (body and attributes, minus the `ir-dlq-*` ones) and deleted from the DLQ only after the send
 * succeeded, so a failure can duplicate a message (reported) but never lose one.
 */
export const dlqRedriveCommand: CommandSpec = {
  name: 'dlq redrive',
  summary: 'move dead-lettered messages back to their queue (send first, then delete)',
  positionals: ['<queue>'],
  options: {
    limit: { type: 'string', valueName: '<n>', help: 'move at most n messages (1-10000, default 1000)' },
  },
  details: [
    QUEUE_HELP,
    'The ir-dlq-* attributes are removed, every other attribute is kept. Fix the cause first: a message',
    'that fails again goes back to the DLQ. Exit 1 if any message could not be moved or deleted.',
  ],
  async run(args, context) {
    const { limit, queue, sqs } = await dlqTarget(args, context, 'dlq redrive', {
      fallback: 1000,
      max: 10_000,
    });
    const seen = new Set<string>();
    const failures: RedriveFailure[] = [];
    let moved = 0;
    while (moved + failures.length < limit) {
      let batch: Message[];
      try {
        batch = await receiveBatch(sqs, queue.dlqUrl, 60, limit - moved - failures.length);
      } catch (error: unknown) {
        throw awsFailure(error, `reading ${queue.dlqName} (${moved} message(s) moved so far)`);
      }
      const fresh = batch.filter((message) => message.MessageId && !seen.has(message.MessageId));
      if (fresh.length === 0) break;
      for (const message of fresh) {
        const messageId = message.MessageId ?? '';
        seen.add(messageId);
        try {
          await sqs.send(
            new SendMessageCommand({
              QueueUrl: queue.url,
              MessageBody: message.Body ?? '',
              MessageAttributes: redriveAttributes(message),
            }),
          );
        } catch (error: unknown) {
          failures.push({ messageId, stage: 'send', error: awsFailure(error, 'send').message });
          continue;
        }
        try {
          await sqs.send(
            new DeleteMessageCommand({ QueueUrl: queue.dlqUrl, ReceiptHandle: message.ReceiptHandle ?? '' }),
          );
          moved += 1;
        } catch (error: unknown) {
          failures.push({ messageId, stage: 'delete', error: awsFailure(error, 'delete').message });
        }
      }
    }
    const code = failures.length === 0 ? ExitCode.ok : ExitCode.failed;
    if (args.values.json === true) {
      context.out(toJson({ from: queue.dlqName, to: queue.name, moved, failed: failures }));
      return code;
    }
    context.out(`moved ${moved} message(s) from ${queue.dlqName} to ${queue.name}`);
    for (const failure of failures) {
      context.out(
        failure.stage === 'send'
          ? `not moved: ${failure.messageId} (${failure.error}); it stays in ${queue.dlqName}`
          : `sent but not deleted: ${failure.messageId} (${failure.error}); it is now in both queues`,
      );
    }
    return code;
  },
};
