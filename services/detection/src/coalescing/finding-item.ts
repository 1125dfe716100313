import type { Finding } from '@ir/contracts';
import type { IncidentMessageKind, OutboxEntry, RecordInput } from './coalescing-types.js';
import { av, epochSeconds, type Item, readBool, readNumber, readString } from './dynamo-items.js';
import { findingKey } from './item-keys.js';

/** A FINDING item as read back: the finding's incident, its recorded version and its outbox. */
export interface StoredFinding {
  readonly incidentId: string;
  readonly updatedAt: string;
  readonly count: number;
  readonly first: OutboxEntry;
  readonly firstPublished: boolean;
  readonly last?: { readonly entry: OutboxEntry; readonly published: boolean } | undefined;
}

/** The outbox entry a decision commits to, written with it. */
export function outboxEntry(
  slot: OutboxEntry['slot'],
  kind: IncidentMessageKind,
  incidentId: string,
  messageId: string,
  input: RecordInput,
): OutboxEntry {
  return {
    slot,
    kind,
    incidentId,
    messageId,
    receivedAt: input.receivedAt.toISOString(),
    suppressionUnevaluated: kind === 'opened' && input.suppressionUnevaluated,
  };
}

/** The FINDING item of a finding id seen for the first time, with its (unpublished) first message. */
export function newFindingItem(
  input: RecordInput,
  incidentId: string,
  kind: 'opened' | 'attached',
  messageId: string,
  memorySeconds: number,
): Item {
  return {
    ...findingKey(input.finding, input.dryRun),
    incidentId: av.s(incidentId),
    updatedAt: av.s(input.finding.updatedAt),
    count: av.n(input.finding.count),
    firstKind: av.s(kind),
    firstMessageId: av.s(messageId),
    firstPublished: av.bool(false),
    firstReceivedAt: av.s(input.receivedAt.toISOString()),
    suppressionUnevaluated: av.bool(input.suppressionUnevaluated),
    expiresAt: av.n(epochSeconds(input.receivedAt) + memorySeconds),
  };
}

/** Reads a FINDING item; throws when an attribute every such item has is missing. */
export function storedFinding(item: Item): StoredFinding {
  const incidentId = required(item, 'incidentId');
  const firstKind = readString(item, 'firstKind') === 'attached' ? 'attached' : 'opened';
  const lastMessageId = readString(item, 'lastMessageId');
  return {
    incidentId,
    updatedAt: required(item, 'updatedAt'),
    count: readNumber(item, 'count') ?? 1,
    first: {
      slot: 'first',
      kind: firstKind,
      incidentId,
      messageId: required(item, 'firstMessageId'),
      receivedAt: required(item, 'firstReceivedAt'),
      suppressionUnevaluated: readBool(item, 'suppressionUnevaluated') ?? false,
    },
    firstPublished: readBool(item, 'firstPublished') ?? false,
    last: lastMessageId
      ? {
          entry: {
            slot: 'last',
            kind: 're-emitted',
            incidentId,
            messageId: lastMessageId,
            receivedAt: readString(item, 'lastReceivedAt') ?? required(item, 'firstReceivedAt'),
            suppressionUnevaluated: false,
          },
          published: readBool(item, 'lastPublished') ?? false,
        }
      : undefined,
  };
}

function required(item: Item, key: string): string {
  const value = readString(item, key);
  if (value === undefined) throw new Error(`coalescing item ${readString(item, 'pk')} has no ${key}`);
  return value;
}

/** Positive when `finding` is a newer version than what is stored: later `updatedAt`, then higher `count`. */
export function compareVersions(
  finding: Finding,
  stored: Pick<StoredFinding, 'updatedAt' | 'count'>,
): number {
  if (finding.updatedAt !== stored.updatedAt) return finding.updatedAt > stored.updatedAt ? 1 : -1;
  return finding.count - stored.count;
}
