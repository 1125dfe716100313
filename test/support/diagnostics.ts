import { type Message, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { DlqAttribute } from '@ir/runtime';
import type { IncidentView } from './coordinator-api.js';
import { type WaitForIncidentsOptions, waitForIncidents } from './incident-progress.js';
import type { RunningSystem } from './system.js';

/** One line per message in a DLQ: its type, step, receive count and why it is there. */
function describeLetter(queue: string, message: Message): string {
  let type = '?';
  let step = '';
  try {
    const body = JSON.parse(message.Body ?? '') as { type?: unknown; payload?: { stepId?: unknown } };
    type = String(body.type ?? '?');
    if (body.payload?.stepId !== undefined) step = ` step ${String(body.payload.stepId)}`;
  } catch {
    type = 'unparsable';
  }
  const attributes = message.MessageAttributes ?? {};
  const reason = attributes[DlqAttribute.reason]?.StringValue;
  const detail = attributes[DlqAttribute.detail]?.StringValue;
  const receives = message.Attributes?.ApproximateReceiveCount ?? '?';
  // Without the runtime's reason attributes, SQS's redrive policy moved it (maxReceiveCount reached).
  const why = reason ? `${reason}: ${detail ?? ''}` : 'redriven by SQS (maxReceiveCount reached, no reason)';
  return `${queue}-dlq: ${type}${step} (received ${receives}×) ${why}`;
}

/**
 * What every DLQ of the system holds, one line each, without removing anything (the messages are
 * made visible again at once). For failure messages: a result stuck in a DLQ looks, from the
 * incident, exactly like a step the worker never answered.
 */
export async function peekDeadLetters(
  sqs: SQSClient,
  system: Pick<RunningSystem, 'boot'>,
): Promise<string[]> {
  const lines: string[] = [];
  for (const [queue, { dlqUrl }] of Object.entries(system.boot.queues)) {
    const output = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: dlqUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 0,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      }),
    );
    for (const message of output.Messages ?? []) lines.push(describeLetter(queue, message));
  }
  return lines;
}

/**
 * {@link waitForIncidents}, and on time-out the same error with every DLQ's content and the last
 * log lines of the coordinator appended, so a failed fault run says where a message went.
 */
export async function waitForIncidentsExplained(
  system: Pick<RunningSystem, 'api' | 'boot' | 'clients' | 'logs'>,
  options: WaitForIncidentsOptions,
): Promise<IncidentView[]> {
  try {
    return await waitForIncidents(system.api, options);
  } catch (error: unknown) {
    const letters = await peekDeadLetters(system.clients.sqs, system).catch((peek: unknown) => [
      `(could not read the DLQs: ${peek instanceof Error ? peek.message : String(peek)})`,
    ]);
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${message}\ndead letters (${letters.length}):\n  ${letters.join('\n  ') || '(none)'}`, {
      cause: error,
    });
  }
}
