import type { SQSClient } from '@aws-sdk/client-sqs';
import {
  type DeadLetterPeek,
  type DeadLetterRedriveOutcome,
  isDeadLetterReadError,
  peekDeadLetters,
  redriveDeadLetters,
  redriveRefusal,
} from '@ir/runtime';
import { integerOption, positional } from '../args.js';
import { awsFailure } from '../aws.js';
import type { CommandContext, CommandSpec, ParsedArgs } from '../command.js';
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
    const warnUnreleased = (unreleased: number) => {
      if (unreleased > 0)
        context.err(`warning: ${unreleased} message(s) stay hidden for up to 30 s (could not release them)`);
    };
    let peek: DeadLetterPeek;
    try {
      peek = await peekDeadLetters(sqs, queue.dlqUrl, { limit, visibilityTimeout: 30 });
    } catch (error: unknown) {
      if (!isDeadLetterReadError(error)) throw error;
      warnUnreleased(error.unreleased);
      throw awsFailure(error.cause, `reading ${queue.dlqName}`);
    }
    warnUnreleased(peek.unreleased);
    const { letters } = peek;
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
    'that fails again goes back to the DLQ. A decision dead-lettered for its signature (decision-signature-*)',
    'is evidence of a forgery and is never moved. Exit 1 if any message was not moved or not deleted.',
  ],
  async run(args, context) {
    const { limit, queue, sqs } = await dlqTarget(args, context, 'dlq redrive', {
      fallback: 1000,
      max: 10_000,
    });
    let outcome: DeadLetterRedriveOutcome;
    try {
      outcome = await redriveDeadLetters(sqs, {
        from: queue.dlqUrl,
        to: queue.url,
        limit,
        refuse: redriveRefusal,
      });
    } catch (error: unknown) {
      if (!isDeadLetterReadError(error)) throw error;
      throw awsFailure(
        error.cause,
        `reading ${queue.dlqName} (${error.moved.length} message(s) moved so far)`,
      );
    }
    const moved = outcome.moved.length;
    // `send: <error>` / `delete: <error>`, as irctl has always reported them.
    const failures = outcome.problems.map(({ messageId, stage, message }) => ({
      messageId,
      stage,
      error: `${stage}: ${message}`,
    }));
    const code = failures.length === 0 ? ExitCode.ok : ExitCode.failed;
    if (args.values.json === true) {
      context.out(toJson({ from: queue.dlqName, to: queue.name, moved, failed: failures }));
      return code;
    }
    context.out(`moved ${moved} message(s) from ${queue.dlqName} to ${queue.name}`);
    for (const failure of failures) {
      context.out(
        failure.stage === 'delete'
          ? `sent but not deleted: ${failure.messageId} (${failure.error}); it is now in both queues`
          : `not moved: ${failure.messageId} (${failure.error}); it stays in ${queue.dlqName}`,
      );
    }
    return code;
  },
};
