import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { IncidentStatus } from '@ir/contracts';
import type { Transition } from '../state/draft.js';
import { readBlastSlots } from './blast-slots.js';
import type { BlastSlotTimes, BlastTake } from './blast-window.js';
import { commitTransition } from './commit-transition.js';
import { type DecisionItems, type IncidentItems, loadForDecision, loadIncident } from './incident-items.js';
import { deleteOutbox, type StaleOutboxEntry, staleOutbox } from './outbox-store.js';
import { releaseResource } from './resource-release.js';
import {
  countByStatus,
  type IncidentSummary,
  listByStatus,
  settledWithOverdueSteps,
} from './status-index.js';

export type { BlastSlotTimes, BlastTake } from './blast-window.js';
export type { DecisionItems, IncidentItems } from './incident-items.js';
export type { StaleOutboxEntry } from './outbox-store.js';
export type { IncidentSummary } from './status-index.js';

/** Incident state in the shared table (`INCIDENT#`, `STEP#`, `TIMELINE#`, `FINDING#`, `OUTBOX#`, `BLAST#`). */
export interface IncidentRepository {
  load(incidentId: string): Promise<IncidentItems>;
  /**
   * What a decision needs, read without the timeline and the finding copies. Why: those grow with
   * every event (an incident a storm attaches hundreds of findings to holds thousands of items), and
   * reading them on every message made each decision slower than the last.
   */
  loadForDecision(incidentId: string): Promise<DecisionItems>;
  /**
   * Writes a transition in one transaction, with the blast-radius slots it takes; false when the
   * version moved on or a slot it takes was taken by another decision since it was read.
   */
  commit(transition: Transition, blast?: BlastTake): Promise<boolean>;
  deleteOutbox(incidentId: string, messageIds: readonly string[]): Promise<void>;
  /**
   * Outbox entries committed before `before`, whatever the incident's status (from gsi1, eventually
   * consistent): the sweep publishes them when their writer died between commit and publish.
   */
  staleOutbox(before: Date, limit?: number): Promise<StaleOutboxEntry[]>;
  list(status: IncidentStatus, limit?: number): Promise<IncidentSummary[]>;
  /** Completed, rolled-back or resolved incidents with a dispatched step due before `before`. */
  settledWithOverdueSteps(before: Date, limit?: number): Promise<string[]>;
  count(status: IncidentStatus): Promise<number>;
  /** The first `max` slots of the blast-radius ring (consistent read). */
  blastSlots(max: number): Promise<BlastSlotTimes>;
  /** Deletes detection's `RESOURCE#` item if it still names this incident; true when deleted. */
  releaseResource(accountId: string, resourceKey: string, incidentId: string): Promise<boolean>;
}

/** Builds the repository over one table; each operation lives in the file named for its concept. */
export function createIncidentRepository(dynamodb: DynamoDBClient, tableName: string): IncidentRepository {
  return {
    load: (incidentId) => loadIncident(dynamodb, tableName, incidentId),
    loadForDecision: (incidentId) => loadForDecision(dynamodb, tableName, incidentId),
    commit: (transition, blast) => commitTransition(dynamodb, tableName, transition, blast),
    deleteOutbox: (incidentId, messageIds) => deleteOutbox(dynamodb, tableName, incidentId, messageIds),
    staleOutbox: (before, limit = 500) => staleOutbox(dynamodb, tableName, before, limit),
    list: (status, limit = 100) => listByStatus(dynamodb, tableName, status, limit),
    settledWithOverdueSteps: (before, limit = 500) =>
      settledWithOverdueSteps(dynamodb, tableName, before, limit),
    count: (status) => countByStatus(dynamodb, tableName, status),
    blastSlots: (max) => readBlastSlots(dynamodb, tableName, max),
    releaseResource: (accountId, resourceKey, incidentId) =>
      releaseResource(dynamodb, tableName, accountId, resourceKey, incidentId),
  };
}
