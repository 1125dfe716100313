import type { z } from 'zod';
import { type EnvelopeSchema, envelopeOf } from './envelope.js';
import type { MessageType } from './message-types.js';
import { containCommandSchemas } from './messages/contain.js';
import { EvidenceSnapshotFollowupPayload, evidenceCommands } from './messages/evidence.js';
import { IncidentOpenedPayload, IncidentUpdatedPayload } from './messages/incident.js';
import { notifyCommands } from './messages/notify.js';
import {
  ApprovalGrantedPayload,
  ApprovalRejectedPayload,
  IncidentResolveRequestedPayload,
  RollbackRequestedPayload,
} from './messages/operator.js';
import { StepFailedPayload, StepHeldPayload, StepSucceededPayload } from './messages/results.js';
import { IncidentTicketClosedPayload } from './messages/ticket.js';
import { rollbackCommands } from './messages/rollback.js';

/** The payload schema of every message type; `satisfies` keeps it exhaustive over `MessageType`. */
export const payloadSchemas = {
  'incident.opened': IncidentOpenedPayload,
  'incident.updated': IncidentUpdatedPayload,
  ...containCommandSchemas,
  ...rollbackCommands,
  ...evidenceCommands,
  ...notifyCommands,
  'step.succeeded': StepSucceededPayload,
  'step.failed': StepFailedPayload,
  'step.held': StepHeldPayload,
  'approval.granted': ApprovalGrantedPayload,
  'approval.rejected': ApprovalRejectedPayload,
  'rollback.requested': RollbackRequestedPayload,
  'incident.resolve-requested': IncidentResolveRequestedPayload,
  'incident.ticket-closed': IncidentTicketClosedPayload,
  'evidence.snapshot-followup': EvidenceSnapshotFollowupPayload,
} as const satisfies Record<MessageType, z.ZodType>;

/** The envelope schema of each message type. */
export type MessageSchemas = { [K in MessageType]: EnvelopeSchema<K, (typeof payloadSchemas)[K]> };

/** Envelope schema per message type: what `parseMessage` checks a body against. */
export const messageSchemas = Object.fromEntries(
  Object.entries(payloadSchemas).map(([type, payload]) => [type, envelopeOf(type, payload)]),
) as MessageSchemas;

/** Any valid message: the union of every envelope, discriminated on `type`. */
export type Message = { [K in MessageType]: z.infer<MessageSchemas[K]> }[MessageType];

/** The message of one type, e.g. `MessageOf<'step.failed'>`. */
export type MessageOf<T extends MessageType> = Extract<Message, { type: T }>;

/** The payload of one message type. */
export type PayloadOf<T extends MessageType> = MessageOf<T>['payload'];
