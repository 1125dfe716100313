import { createHash } from 'node:crypto';
import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { DlqAttribute } from '@ir/runtime';
import type { IncidentView } from './coordinator-api.js';
import type { RecordedCall } from './fault-proxy.js';

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

/**
 * The AWS calls that contain a resource: the isolator's changes to what a finding names (its
 * network, instance attributes, group memberships, IAM attachments and keys, bucket access). Not
 * tagging (the pre-state record is written again on a retry, harmlessly) and not our own queues,
 * table, bucket and topic.
 */
const CONTAINING_CALLS: Readonly<Record<string, ReadonlySet<string>>> = {
  ec2: new Set([
    'ModifyNetworkInterfaceAttribute',
    'ModifyInstanceAttribute',
    'ModifyInstanceMetadataOptions',
    'CreateSecurityGroup',
    'AuthorizeSecurityGroupIngress',
    'AuthorizeSecurityGroupEgress',
    'RevokeSecurityGroupEgress',
    'RevokeSecurityGroupIngress',
    'CreateNetworkAclEntry',
    'ReplaceNetworkAclAssociation',
  ]),
  autoscaling: new Set(['DetachInstances', 'EnterStandby']),
  elasticloadbalancing: new Set(['DeregisterTargets']),
  iam: new Set([
    'CreatePolicy',
    'AttachUserPolicy',
    'AttachRolePolicy',
    'PutUserPolicy',
    'PutRolePolicy',
    'UpdateAccessKey',
    'DeleteLoginProfile',
  ]),
};

/** The containing calls AWS applied (answered 2xx), and those it applied more than once. */
export interface AppliedContainment {
  readonly applied: number;
  /** Each as `service operation parameters ×times`. */
  readonly twice: readonly string[];
}

/**
 * Double containment counted from what reached AWS: a recording proxy's forwarded containing calls
 * that AWS answered 2xx, grouped by their parameters; the same call applied more than once is double
 * containment. Not from the coordinator's records. A retry the proxy answered itself never reached
 * AWS and is not counted; a resource contained by two incidents, or re-contained by a replayed step
 * that did not check what it had done, is. `applied` shows the record is not empty.
 */
export function appliedContainment(calls: readonly RecordedCall[]): AppliedContainment {
  const applied = new Map<string, number>();
  let total = 0;
  for (const call of calls) {
    if (!CONTAINING_CALLS[call.service]?.has(call.operation)) continue;
    if (call.status < 200 || call.status >= 300) continue;
    total += 1;
    const key = `${call.service} ${call.operation} ${containingParameters(call.body)}`;
    applied.set(key, (applied.get(key) ?? 0) + 1);
  }
  const twice = [...applied.entries()]
    .filter(([, times]) => times > 1)
    .map(([key, times]) => `${key} ×${times}`);
  return { applied: total, twice };
}

/** A query-protocol body's parameters, sorted, without the ones that differ between identical calls. */
function containingParameters(body: Buffer): string {
  const parameters = new URLSearchParams(body.toString('utf8'));
  parameters.delete('Version');
  parameters.delete('ClientToken');
  parameters.delete('Action');
  parameters.sort();
  return parameters.toString();
}

/** Finding ids that no incident holds. */
export function findingsWithoutIncident(
  findingIds: readonly string[],
  views: readonly IncidentView[],
): string[] {
  const held = new Set(views.flatMap((view) => view.incident.findings.map((finding) => finding.id)));
  return findingIds.filter((id) => ![...held].some((heldId) => heldId.includes(id)));
}

/** Detection's log line for what it did with one finding (`services/detection` handlers/findings.ts). */
export interface FindingDecision {
  readonly decision:
    | 'incident_opened'
    | 'finding_coalesced'
    | 'finding_duplicate_ignored'
    | 'finding_suppressed'
    | 'sample_finding_skipped';
  readonly findingId: string;
  readonly incidentId?: string;
  readonly rule?: string;
}

const DECISIONS = new Set<string>([
  'incident_opened',
  'finding_coalesced',
  'finding_duplicate_ignored',
  'finding_suppressed',
  'sample_finding_skipped',
]);

/** The decision a detection log line records, if it records one. */
export function findingDecisionOf(line: string): FindingDecision | undefined {
  if (!line.includes('"findingId"')) return undefined;
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (typeof entry.msg !== 'string' || !DECISIONS.has(entry.msg) || typeof entry.findingId !== 'string')
    return undefined;
  return {
    decision: entry.msg as FindingDecision['decision'],
    findingId: entry.findingId,
    ...(typeof entry.incidentId === 'string' ? { incidentId: entry.incidentId } : {}),
    ...(typeof entry.rule === 'string' ? { rule: entry.rule } : {}),
  };
}

/** Where one injected finding ended. */
export type FindingOutcome =
  | { readonly kind: 'incident'; readonly incidentId: string }
  | { readonly kind: 'coalesced'; readonly incidentId: string }
  | { readonly kind: 'suppressed'; readonly rule: string }
  | { readonly kind: 'skipped' }
  | { readonly kind: 'dead-lettered'; readonly reason: string };

/** One injected finding: its id when it has one that parses, and the body that was sent. */
export interface SentFinding {
  readonly id: string | undefined;
  readonly body: string;
}

/** Every injected finding's outcome, and the ones that have none or contradict each other. */
export interface FindingLedger {
  /** In the order sent; `undefined` where nothing accounts for the finding (lost). */
  readonly outcomes: readonly (FindingOutcome | undefined)[];
  /** Findings with no outcome, by id (or body hash). */
  readonly lost: readonly string[];
  /**
   * Outcomes the sources disagree on: an incident detection opened that the coordinator does not
   * hold, or holds without that finding.
   */
  readonly contradictions: readonly string[];
  /** How many ended each way (`incident`, `coalesced`, …, `lost`). */
  readonly counts: Readonly<Record<FindingOutcome['kind'] | 'lost', number>>;
}

/**
 * Tracks each injected finding to one outcome, per id: dead-lettered (its body in a DLQ, with the
 * runtime's reason), or detection's decision as it logged it: an incident opened (its id), coalesced
 * into one (a later finding, or the same one delivered again), suppressed (the rule), or skipped (a
 * sample). A finding sent twice consumes two decisions. Every incident named must be one the
 * coordinator holds, with that finding in it: a contradiction otherwise.
 */
export function findingLedger(
  sent: readonly SentFinding[],
  sources: {
    readonly decisions: readonly FindingDecision[];
    readonly deadLetters: readonly DeadLetter[];
    readonly incidents: readonly IncidentView[];
  },
): FindingLedger {
  const dead = new Map<string, DeadLetter[]>();
  for (const letter of sources.deadLetters) {
    const hash = bodyHash(letter.body);
    dead.set(hash, [...(dead.get(hash) ?? []), letter]);
  }
  const decided = new Map<string, FindingDecision[]>();
  for (const decision of sources.decisions) {
    decided.set(decision.findingId, [...(decided.get(decision.findingId) ?? []), decision]);
  }
  const held = new Map(
    sources.incidents.map((view) => [
      view.incident.incidentId,
      new Set(view.incident.findings.map((finding) => finding.id)),
    ]),
  );
  const contradictions: string[] = [];
  const outcomes = sent.map((finding): FindingOutcome | undefined => {
    const letter = dead.get(bodyHash(finding.body))?.shift();
    if (letter) return { kind: 'dead-lettered', reason: letter.reason ?? 'none' };
    if (finding.id === undefined) return undefined;
    const queue = decided.get(finding.id) ?? [];
    // A delivery's own decision first; a duplicate (a redelivery) only when none is left.
    const index = queue.findIndex((decision) => decision.decision !== 'finding_duplicate_ignored');
    const [decision] = queue.splice(index === -1 ? 0 : index, 1);
    if (!decision) return undefined;
    switch (decision.decision) {
      case 'finding_suppressed':
        return { kind: 'suppressed', rule: decision.rule ?? 'unknown' };
      case 'sample_finding_skipped':
        return { kind: 'skipped' };
      default: {
        const incidentId = decision.incidentId ?? 'unknown';
        if (!held.get(incidentId)?.has(finding.id))
          contradictions.push(
            `${finding.id}: detection says ${decision.decision} ${incidentId}, the coordinator does not hold it`,
          );
        return { kind: decision.decision === 'incident_opened' ? 'incident' : 'coalesced', incidentId };
      }
    }
  });
  const lost = sent.flatMap((finding, index) =>
    outcomes[index] === undefined ? [finding.id ?? bodyHash(finding.body)] : [],
  );
  const counts = {
    incident: 0,
    coalesced: 0,
    suppressed: 0,
    skipped: 0,
    'dead-lettered': 0,
    lost: lost.length,
  };
  for (const outcome of outcomes) if (outcome) counts[outcome.kind] += 1;
  return { outcomes, lost, contradictions, counts };
}

/** A sent body's finding id (an EventBridge event's `detail.id`), when it parses that far. */
export function sentFinding(body: string): SentFinding {
  try {
    const id = (JSON.parse(body) as { detail?: { id?: unknown } })?.detail?.id;
    return { id: typeof id === 'string' ? id : undefined, body };
  } catch {
    return { id: undefined, body };
  }
}

/**
 * What breaks "each finding opened its own incident, which the coordinator holds": findings with
 * another outcome, incidents opened for two findings, incidents the coordinator does not have.
 */
export function notOneIncidentEach(ledger: FindingLedger, incidents: readonly IncidentView[]): string[] {
  const held = new Set(incidents.map((view) => view.incident.incidentId));
  const seen = new Set<string>();
  const problems: string[] = [];
  ledger.outcomes.forEach((outcome, index) => {
    if (outcome?.kind !== 'incident') {
      problems.push(`finding #${index}: ${outcome ? JSON.stringify(outcome) : 'lost'}`);
      return;
    }
    if (seen.has(outcome.incidentId)) problems.push(`finding #${index}: ${outcome.incidentId} again`);
    if (!held.has(outcome.incidentId)) problems.push(`finding #${index}: ${outcome.incidentId} not held`);
    seen.add(outcome.incidentId);
  });
  return problems;
}
