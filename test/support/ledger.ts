import { createHash } from 'node:crypto';
import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { DlqAttribute } from '@ir/runtime';
import type { IncidentView } from './coordinator-api.js';

/** The counts a fault run prints at its end. */
export interface RunCounts {
  /** Faults injected: kills, terminations, AWS errors, malformed messages… */
  readonly injected: number;
  /** Findings that ended where they should (an incident, or a DLQ with a reason). */
  readonly survived: number;
  /** Findings that ended nowhere. */
  readonly lost: number;
  readonly [detail: string]: number;
}

/** Prints a run's counts on one line (vitest shows it with the test's output). */
export function printCounts(run: string, counts: RunCounts): void {
  const fields = Object.entries(counts)
    .map(([key, value]) => `${key}=${value}`)
    .join(' ');
  process.stdout.write(`[reliability] ${run}: ${fields}\n`);
}

/** A dead-lettered message with the reason the runtime attached. */
export interface DeadLetter {
  readonly body: string;
  readonly reason: string | undefined;
  readonly detail: string | undefined;
}

/**
 * Reads (and deletes) everything in a DLQ until it has been empty for `quietMs`: the test is the
 * only consumer of a DLQ.
 */
export async function drainDeadLetters(
  sqs: SQSClient,
  dlqUrl: string,
  quietMs = 3_000,
): Promise<DeadLetter[]> {
  const letters: DeadLetter[] = [];
  let quietSince = Date.now();
  while (Date.now() - quietSince < quietMs) {
    const output = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: dlqUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        MessageAttributeNames: ['All'],
      }),
    );
    const messages: Message[] = output.Messages ?? [];
    if (messages.length === 0) continue;
    quietSince = Date.now();
    for (const message of messages) {
      letters.push({
        body: message.Body ?? '',
        reason: message.MessageAttributes?.[DlqAttribute.reason]?.StringValue,
        detail: message.MessageAttributes?.[DlqAttribute.detail]?.StringValue,
      });
    }
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: dlqUrl,
        Entries: messages.map((message, index) => ({
          Id: String(index),
          ReceiptHandle: message.ReceiptHandle ?? '',
        })),
      }),
    );
  }
  return letters;
}

/** SHA-256 of a body, to match a DLQ copy with what was sent. */
export function bodyHash(body: string): string {
  return createHash('sha256').update(body).digest('hex');
}

/** What a succeeded containment step acted on: its action and the resource named in its params. */
function containedResource(step: IncidentView['steps'][number]): string {
  const { params } = step;
  const resource =
    params.instanceId ??
    params.userName ??
    params.roleName ??
    params.bucketName ??
    `${params.subnetId}/${params.cidr}`;
  return `${step.action}:${String(resource)}`;
}

/**
 * Resources contained by more than one incident (or more than one step): the "no resource contained
 * twice" invariant. Rolled-back containments count, since they were contained.
 */
export function containedTwice(views: readonly IncidentView[]): string[] {
  const seen = new Map<string, string[]>();
  for (const view of views) {
    for (const step of view.steps) {
      if (!step.containment || step.rollbackOf || !['succeeded', 'rolled-back'].includes(step.status))
        continue;
      const key = containedResource(step);
      seen.set(key, [...(seen.get(key) ?? []), `${view.incident.incidentId}/${step.stepId}`]);
    }
  }
  return [...seen.entries()]
    .filter(([, by]) => by.length > 1)
    .map(([key, by]) => `${key} by ${by.join(', ')}`);
}

/** Finding ids that no incident holds. */
export function findingsWithoutIncident(
  findingIds: readonly string[],
  views: readonly IncidentView[],
): string[] {
  const held = new Set(views.flatMap((view) => view.incident.findings.map((finding) => finding.id)));
  return findingIds.filter((id) => ![...held].some((heldId) => heldId.includes(id)));
}
