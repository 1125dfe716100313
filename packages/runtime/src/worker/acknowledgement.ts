import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import type { Logger } from 'pino';
import { errorMessage, errorName, errorReason } from '../errors.js';
import { MessageOutcome, type RuntimeMetrics } from '../metrics.js';
import { deferMessage, deferralsOf, delayVisibility } from './account-fairness.js';
import { sendToDeadLetterQueue } from './dead-letter.js';

/** Settings of {@link createAcknowledgement}. */
export interface AcknowledgementSettings {
  /** Logical queue name, the `queue` label. */
  readonly name: string;
  readonly queueUrl: string;
  readonly dlqUrl: string;
  readonly sqs: SQSClient;
  readonly metrics: RuntimeMetrics;
  readonly deferSeconds: number;
  readonly now: () => Date;
}

/** How a message's outcome is recorded and, for the DLQ and deferral, carried out on SQS. */
export interface Acknowledgement {
  /** Counts one message of `type` with its outcome. */
  count(type: string, outcome: MessageOutcome): void;
  /** Copies the message to the DLQ with the error's reason; the caller then lets it be deleted. */
  deadLetter(message: Message, type: string, error: unknown, messageLog: Logger): Promise<void>;
  /** Puts a message of a busy account back; true when the original may be deleted. */
  defer(message: Message, accountId: string, type: string, messageLog: Logger): Promise<boolean>;
}

/** The acknowledgement side of a worker: outcome metrics, dead-lettering and deferral. */
export function createAcknowledgement(settings: AcknowledgementSettings): Acknowledgement {
  const count = (type: string, outcome: MessageOutcome) =>
    settings.metrics.messagesTotal.inc({ queue: settings.name, type, outcome });

  return {
    count,

    async deadLetter(message, type, error, messageLog) {
      const why = { reason: errorReason(error), errorName: errorName(error), detail: errorMessage(error) };
      await sendToDeadLetterQueue(settings.sqs, {
        dlqUrl: settings.dlqUrl,
        sourceQueue: settings.name,
        message,
        why,
        now: settings.now(),
      });
      settings.metrics.dlqTotal.inc({ queue: settings.name, reason: why.reason });
      count(type, MessageOutcome.deadLettered);
      messageLog.error(
        { reason: why.reason, errorName: why.errorName, detail: why.detail },
        'message_dead_lettered',
      );
    },

    async defer(message, accountId, type, messageLog) {
      // Doubling with each deferral (at most 16 times the base, and SQS's 900 s): a backlog of one
      // account's messages, put back again and again, otherwise costs three calls per message every
      // few seconds (receive, copy, delete) and takes the queue's capacity from the work itself.
      const deferSeconds = Math.min(900, settings.deferSeconds * 2 ** Math.min(deferralsOf(message), 4));
      try {
        await deferMessage(settings.sqs, settings.queueUrl, message, deferSeconds);
        count(type, MessageOutcome.deferred);
        messageLog.debug(
          { accountId, deferrals: deferralsOf(message) + 1, delaySeconds: deferSeconds },
          'message_deferred',
        );
        return true;
      } catch (error: unknown) {
        messageLog.warn({ err: error, accountId }, 'message_defer_failed');
        await delayVisibility(settings.sqs, settings.queueUrl, message, deferSeconds).catch(
          (visibilityError: unknown) => messageLog.warn({ err: visibilityError }, 'message_release_failed'),
        );
        count(type, MessageOutcome.released);
        return false;
      }
    },
  };
}
