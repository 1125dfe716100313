import { z } from 'zod';
import { MessageType } from '../message-types.js';
import { OperatorIdentity } from '../messages/operator.js';
import { Disposition, IncidentCategory } from '../records/disposition.js';
import { IncidentReport } from '../records/incident-report.js';
import { IncidentRecord, IncidentStatus } from '../records/incident-record.js';
import { StoredSuppressionRule } from '../records/suppression-rule.js';
import { StepRecord } from '../records/step-record.js';
import { TimelineEntry } from '../records/timeline.js';
import {
  DeadLetterList,
  DeadLetterListQuery,
  DeadLetterOverview,
  DeadLetterParams,
  RedriveRequest,
  RedriveResult,
} from './dead-letters.js';
import {
  CreateSuppressionRequest,
  SuppressionList,
  SuppressionProposal,
  SuppressionProposalRequest,
} from './suppressions.js';

/** `GET /incidents?status&limit`: one status (all when absent), at most `limit` incidents. */
export const ListIncidentsQuery = z.object({
  status: IncidentStatus.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
/** @see ListIncidentsQuery */
export type ListIncidentsQuery = z.infer<typeof ListIncidentsQuery>;

/** The `:id` of `/incidents/:id…`. */
export const IncidentParams = z.object({ id: z.string().min(1).max(200) });
/** @see IncidentParams */
export type IncidentParams = z.infer<typeof IncidentParams>;

/** The `:id` and `:step` of `/incidents/:id/steps/:step/…`. */
export const StepParams = IncidentParams.extend({ step: z.string().min(1).max(300) });
/** @see StepParams */
export type StepParams = z.infer<typeof StepParams>;

/** `GET /incidents/:id/report?format`: JSON (the {@link IncidentReport}) or its Markdown rendering. */
export const ReportQuery = z.object({ format: z.enum(['json', 'markdown']).default('json') });
/** @see ReportQuery */
export type ReportQuery = z.infer<typeof ReportQuery>;

/** An incident as the API lists and shows it: the record and the version its next write expects. */
export const IncidentSummary = IncidentRecord.extend({ version: z.number().int().min(0) });
/** @see IncidentSummary */
export type IncidentSummary = z.infer<typeof IncidentSummary>;

/** `GET /incidents`: newest first. */
export const IncidentList = z.object({ incidents: z.array(IncidentSummary) });
/** @see IncidentList */
export type IncidentList = z.infer<typeof IncidentList>;

/** `GET /incidents/:id`: the incident, its steps in plan order and its timeline, oldest first. */
export const IncidentDetail = z.object({
  incident: IncidentSummary,
  steps: z.array(StepRecord),
  timeline: z.array(TimelineEntry),
});
/** @see IncidentDetail */
export type IncidentDetail = z.infer<typeof IncidentDetail>;

/** `GET /stats/response-times?hours`: the window, in hours back from now (default 24, at most a week). */
export const ResponseTimesQuery = z.object({
  hours: z.coerce.number().int().min(1).max(168).default(24),
});
/** @see ResponseTimesQuery */
export type ResponseTimesQuery = z.infer<typeof ResponseTimesQuery>;

/** The median and 95th percentile of a set of durations in seconds (`null` when `count` is 0). */
export const DurationPercentiles = z.object({
  p50: z.number().min(0).nullable(),
  p95: z.number().min(0).nullable(),
  /** How many incidents the percentiles are over. */
  count: z.number().int().min(0),
});
/** @see DurationPercentiles */
export type DurationPercentiles = z.infer<typeof DurationPercentiles>;

/**
 * `GET /stats/response-times`: the console's overview, from the coordinator's incident records. MTTI
 * runs from detection receiving the first finding to the first containment step succeeding, MTTE to
 * the evidence being sealed: the definitions of the `ir_time_to_isolate_seconds` and
 * `ir_time_to_evidence_seconds` metrics, dry runs left out. Over incidents opened in the window.
 */
export const ResponseTimeStats = z.object({
  windowHours: z.number().int().min(1),
  /** Incidents opened in the window (dry runs included). */
  incidents: z.number().int().min(0),
  /** Incidents not resolved now, whenever they opened (what the `ir_incidents_open` gauge counts). */
  open: z.number().int().min(0),
  /** True when the window held more incidents of one status than are read: the figures cover the newest. */
  truncated: z.boolean(),
  mtti: DurationPercentiles,
  mtte: DurationPercentiles,
});
/** @see ResponseTimeStats */
export type ResponseTimeStats = z.infer<typeof ResponseTimeStats>;

/** The message an operator decision becomes on the coordinator queue. */
export const DecisionMessageType = MessageType.extract([
  'approval.granted',
  'approval.rejected',
  'rollback.requested',
  'incident.resolve-requested',
]);
/** @see DecisionMessageType */
export type DecisionMessageType = z.infer<typeof DecisionMessageType>;

/**
 * The 202 answer to a decision: accepted onto the coordinator queue, not yet applied. Why not
 * applied: the queue handler is the single path that changes incidents; read the incident back.
 */
export const DecisionAccepted = z.object({
  accepted: z.literal(true),
  messageId: z.string(),
  type: DecisionMessageType,
  /** Who the decision is recorded as: the verified identity of the token (optional for older servers). */
  actor: OperatorIdentity.optional(),
  /** The label of `actor` on the timeline and the report. */
  by: z.string().optional(),
});
/** @see DecisionAccepted */
export type DecisionAccepted = z.infer<typeof DecisionAccepted>;

/**
 * An operator's role, least to most: each includes what the ones before it may do. The coordinator
 * maps the identity provider's groups onto these (`IR_OIDC_ROLE_MAP`).
 */
export const OperatorRole = z.enum(['viewer', 'responder', 'approver', 'admin']);
/** @see OperatorRole */
export type OperatorRole = z.infer<typeof OperatorRole>;

/** True when `held` includes `needed` (roles are ordered: viewer < responder < approver < admin). */
export function roleAllows(held: OperatorRole, needed: OperatorRole): boolean {
  return OperatorRole.options.indexOf(held) >= OperatorRole.options.indexOf(needed);
}

/**
 * The body of a decision request: only why. Who decided comes from the verified bearer token, never
 * from the body. `by` is accepted and ignored, so that an older irctl (which sent `$USER`) still works.
 */
export const DecisionRequest = z.object({
  reason: z.string().max(2000).optional(),
  /** Ignored: the actor is the token's subject. Kept so that older clients are not refused. */
  by: z.string().optional(),
});
/** @see DecisionRequest */
export type DecisionRequest = z.infer<typeof DecisionRequest>;

/**
 * The body of a resolve: a decision plus whether the incident was real and what kind it was. Both are
 * required; the resolve is refused (400) without them.
 */
export const ResolveRequest = DecisionRequest.extend({
  disposition: Disposition,
  category: IncidentCategory,
});
/** @see ResolveRequest */
export type ResolveRequest = z.infer<typeof ResolveRequest>;

/**
 * A refusal: 401 without a valid token, 403 when the token's role is not enough, 404 for an unknown
 * incident or step, 409 for a stale decision, 503 when the identity provider's keys cannot be read.
 */
export const ApiRefusal = z.object({
  error: z.enum(['unauthorized', 'forbidden', 'not-found', 'conflict', 'unavailable']),
  message: z.string(),
});
/** @see ApiRefusal */
export type ApiRefusal = z.infer<typeof ApiRefusal>;

/** A 400: the request's params, query or body did not parse; one issue per problem, with its path. */
export const InvalidRequest = z.object({
  error: z.literal('invalid-request'),
  issues: z.array(z.object({ path: z.string(), message: z.string() })),
});
/** @see InvalidRequest */
export type InvalidRequest = z.infer<typeof InvalidRequest>;

const refusals = {
  400: InvalidRequest,
  401: ApiRefusal,
  403: ApiRefusal,
  404: ApiRefusal,
  503: ApiRefusal,
} as const;
const decisionResponses = { 202: DecisionAccepted, ...refusals, 409: ApiRefusal } as const;

/**
 * The operator API of the response coordinator, route by route: method, URL (fastify syntax), the
 * least {@link OperatorRole} the caller's token must carry, and the schemas of params, query, body and
 * each status's answer. The coordinator declares its routes (and enforces the roles) from this one
 * table; clients (irctl, the system tests) read the same shapes. Every route needs
 * `Authorization: Bearer <token>` (an OIDC access token, or the local-dev static token). A
 * decision's body is the {@link DecisionRequest}; its actor is the token's subject.
 *
 * Roles: reads are `viewer`; asking for a rollback or a resolve is `responder` (it starts or stops
 * work on an incident, and every step of a rollback is recorded); approving or rejecting a held step
 * is `approver` (it lets a dangerous or protected containment run, or refuses it). The dead-letter
 * queues: their depths are `viewer`, their messages `responder` (bodies carry findings and decisions),
 * and a redrive `admin` (it puts work back in front of a service). Suppressions: proposing one from an
 * incident is `responder` (it writes nothing), writing one `approver` (it silences detection of every
 * matching finding until it expires, as much a decision as letting a held step run), listing `viewer`.
 */
export const operatorApi = {
  listIncidents: {
    method: 'GET',
    url: '/incidents',
    role: 'viewer',
    schema: {
      querystring: ListIncidentsQuery,
      response: { 200: IncidentList, ...refusals },
    },
  },
  getIncident: {
    method: 'GET',
    url: '/incidents/:id',
    role: 'viewer',
    schema: { params: IncidentParams, response: { 200: IncidentDetail, ...refusals } },
  },
  getReport: {
    method: 'GET',
    url: '/incidents/:id/report',
    role: 'viewer',
    // 200 is the JSON report; with `format=markdown` it is text/markdown, which is not serialised.
    schema: {
      params: IncidentParams,
      querystring: ReportQuery,
      response: { 200: IncidentReport, ...refusals },
    },
  },
  responseTimes: {
    method: 'GET',
    url: '/stats/response-times',
    role: 'viewer',
    schema: {
      querystring: ResponseTimesQuery,
      response: { 200: ResponseTimeStats, ...refusals },
    },
  },
  approveStep: {
    method: 'POST',
    url: '/incidents/:id/steps/:step/approve',
    role: 'approver',
    schema: { params: StepParams, body: DecisionRequest, response: decisionResponses },
  },
  rejectStep: {
    method: 'POST',
    url: '/incidents/:id/steps/:step/reject',
    role: 'approver',
    schema: { params: StepParams, body: DecisionRequest, response: decisionResponses },
  },
  rollback: {
    method: 'POST',
    url: '/incidents/:id/rollback',
    role: 'responder',
    schema: { params: IncidentParams, body: DecisionRequest, response: decisionResponses },
  },
  resolve: {
    method: 'POST',
    url: '/incidents/:id/resolve',
    role: 'responder',
    schema: { params: IncidentParams, body: ResolveRequest, response: decisionResponses },
  },
  deadLetterQueues: {
    method: 'GET',
    url: '/dlq',
    role: 'viewer',
    schema: { response: { 200: DeadLetterOverview, ...refusals } },
  },
  deadLetters: {
    method: 'GET',
    url: '/dlq/:queue/messages',
    role: 'responder',
    schema: {
      params: DeadLetterParams,
      querystring: DeadLetterListQuery,
      response: { 200: DeadLetterList, ...refusals },
    },
  },
  redriveDeadLetters: {
    method: 'POST',
    url: '/dlq/:queue/redrive',
    role: 'admin',
    schema: {
      params: DeadLetterParams,
      body: RedriveRequest,
      response: { 200: RedriveResult, ...refusals },
    },
  },
  /** Builds a rule from a false-positive incident and counts what it would have matched; writes nothing. */
  proposeSuppression: {
    method: 'POST',
    url: '/incidents/:id/suppression-proposal',
    role: 'responder',
    schema: {
      params: IncidentParams,
      body: SuppressionProposalRequest,
      response: { 200: SuppressionProposal, ...refusals, 409: ApiRefusal },
    },
  },
  /** Approver: a written rule silences detection of every matching finding until it expires. */
  createSuppression: {
    method: 'POST',
    url: '/suppressions',
    role: 'approver',
    schema: {
      body: CreateSuppressionRequest,
      response: { 201: StoredSuppressionRule, ...refusals, 409: ApiRefusal },
    },
  },
  listSuppressions: {
    method: 'GET',
    url: '/suppressions',
    role: 'viewer',
    schema: { response: { 200: SuppressionList, ...refusals } },
  },
} as const satisfies Record<
  string,
  {
    readonly method: 'GET' | 'POST';
    readonly url: string;
    readonly role: OperatorRole;
    readonly schema: unknown;
  }
>;
