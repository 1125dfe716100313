import {
  ChangeMessageVisibilityCommand,
  type Message,
  type MessageAttributeValue,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

/** Message attribute counting how many times a message was put back because its account was busy. */
export const DEFERRALS_ATTRIBUTE = 'ir-deferrals';

/** In-flight messages per account in one worker, capped. */
export interface AccountSlots {
  /** Takes a slot for the account; false when it is at its cap (unless `overCap`: nothing waits). */
  tryAcquire(accountId: string, options?: { readonly overCap: boolean }): boolean;
  release(accountId: string): void;
  inFlight(accountId: string): number;
}

/** Slots of at most `cap` messages per account at once. */
export function createAccountSlots(cap: number): AccountSlots {
  const counts = new Map<string, number>();
  return {
    tryAcquire(accountId, options) {
      const current = counts.get(accountId) ?? 0;
      if (current >= cap && !options?.overCap) return false;
      counts.set(accountId, current + 1);
      return true;
    },
    release(accountId) {
      const current = counts.get(accountId) ?? 0;
      if (current <= 1) counts.delete(accountId);
      else counts.set(accountId, current - 1);
    },
    inFlight: (accountId) => counts.get(accountId) ?? 0,
  };
}

/** The attributes of a received message, as SendMessage takes them. */
function attributesOf(message: Message): Record<string, MessageAttributeValue> {
  const out: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    if (!value.DataType) continue;
    out[name] = {
      DataType: value.DataType,
      ...(value.StringValue !== undefined ? { StringValue: value.StringValue } : {}),
      ...(value.BinaryValue !== undefined ? { BinaryValue: value.BinaryValue } : {}),
    };
  }
  return out;
}

/** How many times the message was deferred before. */
export function deferralsOf(message: Message): number {
  const value = Number(message.MessageAttributes?.[DEFERRALS_ATTRIBUTE]?.StringValue ?? '0');
  return Number.isFinite(value) && value > 0 ? value : 0;
}

/**
 * Puts a message back for later because its account is at its cap: a copy is sent with a delay (and
 * the deferral count), after which the caller lets the original be deleted. Why a copy rather than a
 * visibility change: every receive counts toward the queue's redrive `maxReceiveCount`, so a message
 * deferred a few times during a storm would be dead-lettered without ever being tried; a copy starts
 * its own count. Consumers are idempotent by envelope id, so a duplicate (the original's delete fails
 * after the copy was sent) is harmless.
 */
export async function deferMessage(
  sqs: SQSClient,
  queueUrl: string,
  message: Message,
  delaySeconds: number,
): Promise<void> {
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: message.Body ?? '',
      DelaySeconds: delaySeconds,
      MessageAttributes: {
        ...attributesOf(message),
        [DEFERRALS_ATTRIBUTE]: { DataType: 'Number', StringValue: String(deferralsOf(message) + 1) },
      },
    }),
  );
}

/** Fallback when the copy cannot be sent: leave the original invisible for the delay instead. */
export async function delayVisibility(
  sqs: SQSClient,
  queueUrl: string,
  message: Message,
  delaySeconds: number,
): Promise<void> {
  await sqs.send(
    new ChangeMessageVisibilityCommand({
      QueueUrl: queueUrl,
      ReceiptHandle: message.ReceiptHandle,
      VisibilityTimeout: delaySeconds,
    }),
  );
}
