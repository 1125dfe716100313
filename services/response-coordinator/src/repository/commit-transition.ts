import {
  type DynamoDBClient,
  type TransactWriteItem,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { incidentTableKeys as keys } from '@ir/contracts';
import { errorName } from '@ir/runtime';
import { TransitionTooLargeError } from '../errors.js';
import type { Transition } from '../state/draft.js';
import { blastSlotsUpdate } from './blast-slots.js';
import type { BlastTake } from './blast-window.js';
import { encodeItem } from './codec.js';
import { outboxItem } from './outbox-store.js';

const MAX_TRANSACTION_ITEMS = 100;

/**
 * Writes a transition in one transaction: META conditional on the version read (or on not existing),
 * the changed steps, new timeline entries, finding copies, outbox entries and the blast-radius slots
 * taken. False when another writer won (the version moved on, or a slot taken here was taken by
 * another decision since it was read): decide again, on a fresh read.
 */
export async function commitTransition(
  dynamodb: DynamoDBClient,
  tableName: string,
  transition: Transition,
  blast?: BlastTake,
): Promise<boolean> {
  const { incident } = transition;
  const pk = keys.incidentPk(incident.incidentId);
  const committedAt = new Date().toISOString();
  const version = transition.expectedVersion + 1;
  const writes: TransactWriteItem[] = [
    {
      Put: {
        TableName: tableName,
        Item: encodeItem(pk, keys.incidentSk, incident, {
          version,
          status: incident.status,
          gsi1pk: keys.statusGsiPk(incident.status),
          gsi1sk: keys.statusGsiSk(incident.openedAt, incident.incidentId),
        }),
        ...(transition.isNew
          ? { ConditionExpression: 'attribute_not_exists(pk)' }
          : {
              ConditionExpression: 'version = :expected',
              ExpressionAttributeValues: { ':expected': { N: String(transition.expectedVersion) } },
            }),
      },
    },
    ...transition.steps.map((step) => ({
      Put: {
        TableName: tableName,
        Item: encodeItem(pk, keys.stepSk(step.stepId), step, { status: step.status }),
      },
    })),
    ...transition.timeline.map((entry) => ({
      Put: {
        TableName: tableName,
        Item: encodeItem(pk, keys.timelineSk(entry.at, entry.entryId), entry),
      },
    })),
    ...transition.findings.map((finding) => ({
      Put: {
        TableName: tableName,
        Item: encodeItem(pk, keys.findingRefSk(finding.source, finding.id), finding),
      },
    })),
    ...transition.outbox.map((entry) => ({
      Put: {
        TableName: tableName,
        Item: outboxItem(incident.incidentId, entry, committedAt, transition.causationId),
      },
    })),
  ];
  if (typeof transition.settledDeadline === 'string') {
    writes.push({
      Put: {
        TableName: tableName,
        Item: {
          pk: { S: pk },
          sk: { S: keys.inFlightSk },
          gsi1pk: { S: keys.inFlightGsiPk },
          gsi1sk: { S: keys.inFlightGsiSk(transition.settledDeadline, incident.incidentId) },
        },
      },
    });
  } else if (transition.settledDeadline === null) {
    writes.push({ Delete: { TableName: tableName, Key: { pk: { S: pk }, sk: { S: keys.inFlightSk } } } });
  }
  if (transition.blastUsed > 0) {
    // The decision counted containments against slots it must take: never commit one without them.
    if (blast?.slots.length !== transition.blastUsed)
      throw new RangeError(
        `transition uses ${transition.blastUsed} blast-radius slot(s), the commit takes ${blast?.slots.length ?? 0}`,
      );
    writes.push(blastSlotsUpdate(tableName, blast));
  }
  if (writes.length > MAX_TRANSACTION_ITEMS) {
    throw new TransitionTooLargeError(incident.incidentId, writes.length);
  }
  try {
    await dynamodb.send(new TransactWriteItemsCommand({ TransactItems: writes }));
    return true;
  } catch (error: unknown) {
    // Cancelled by a condition (another writer won) or by a concurrent transaction: decide again.
    if (errorName(error) === 'TransactionCanceledException') return false;
    throw error;
  }
}
