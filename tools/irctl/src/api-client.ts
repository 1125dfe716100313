import { IncidentReport } from '@ir/reporting';
import { z } from 'zod';
import { ApiError } from './errors.js';

/** An incident as the coordinator lists it; fields irctl does not show are kept for `--json`. */
export const IncidentSummary = z.looseObject({
  incidentId: z.string(),
  status: z.string(),
  playbookId: z.string(),
  severityBand: z.string(),
  dryRun: z.boolean(),
  openedAt: z.string(),
  summary: z.string().default(''),
  version: z.number().optional(),
});
/** @see IncidentSummary */
export type IncidentSummary = z.infer<typeof IncidentSummary>;

/** One step of an incident, as `GET /incidents/:id` returns it. */
export const StepView = z.looseObject({
  stepId: z.string(),
  action: z.string(),
  status: z.string(),
  queue: z.string().optional(),
  containment: z.boolean().optional(),
  sealsEvidence: z.boolean().optional(),
  holdReasons: z.array(z.string()).optional(),
  approvedBy: z.string().optional(),
  rejectedBy: z.string().optional(),
  decisionReason: z.string().optional(),
  completedAt: z.string().optional(),
  result: z.record(z.string(), z.unknown()).optional(),
  preState: z.record(z.string(), z.unknown()).optional(),
  failure: z.looseObject({ reason: z.string(), errorName: z.string().optional() }).optional(),
  skipReason: z.string().optional(),
  rollbackOf: z.string().optional(),
});
/** @see StepView */
export type StepView = z.infer<typeof StepView>;

/** One timeline entry. */
export const TimelineView = z.looseObject({
  at: z.string(),
  kind: z.string(),
  stepId: z.string().optional(),
  detail: z.record(z.string(), z.unknown()).optional(),
});
/** @see TimelineView */
export type TimelineView = z.infer<typeof TimelineView>;

/** `GET /incidents/:id`: the incident, its steps and its timeline. */
export const IncidentDetail = z.object({
  incident: IncidentSummary.extend({
    receivedAt: z.string().optional(),
    target: z.looseObject({ accountId: z.string(), region: z.string() }).optional(),
    notes: z.array(z.string()).optional(),
    findings: z.array(z.looseObject({ id: z.string(), type: z.string() })).optional(),
    firstContainedAt: z.string().optional(),
    evidenceSealedAt: z.string().optional(),
    resolvedAt: z.string().optional(),
    resolvedBy: z.string().optional(),
    rollbackRequestedBy: z.string().optional(),
  }),
  steps: z.array(StepView),
  timeline: z.array(TimelineView),
});
/** @see IncidentDetail */
export type IncidentDetail = z.infer<typeof IncidentDetail>;

/** The 202 answer to an operator decision. */
export const DecisionAccepted = z.looseObject({
  accepted: z.literal(true),
  messageId: z.string(),
  type: z.string(),
});
/** @see DecisionAccepted */
export type DecisionAccepted = z.infer<typeof DecisionAccepted>;

/** The decisions the API takes, by path suffix. */
export type Decision = 'approve' | 'reject' | 'rollback' | 'resolve';

/** Settings of {@link coordinatorApi}. */
export interface CoordinatorApiSettings {
  readonly baseUrl: string;
  readonly token: string;
  readonly fetch: typeof fetch;
  /** Per request; the API answers from one DynamoDB query, so this is generous. */
  readonly timeoutMs?: number;
}

/** The coordinator's operator API, typed. Every failure is an {@link ApiError} with the HTTP status. */
export interface CoordinatorApi {
  listIncidents(query: { status?: string; limit?: number }): Promise<IncidentSummary[]>;
  incident(incidentId: string): Promise<IncidentDetail>;
  decide(
    decision: Decision,
    target: { incidentId: string; stepId?: string },
    body: { by: string; reason?: string },
  ): Promise<DecisionAccepted>;
  /** `GET /incidents/:id/report`: the incident report (version 1), built and verified by the coordinator. */
  report(incidentId: string): Promise<IncidentReport>;
}

/**
 * A client of the coordinator's operator API (`/incidents…`, bearer token). Ids are URL-encoded (step
 * ids contain `:`). Answers are checked against the fields irctl relies on, so a coordinator of another
 * version fails loudly rather than printing half a table. The token is sent, never echoed.
 */
export function coordinatorApi(settings: CoordinatorApiSettings): CoordinatorApi {
  const base = settings.baseUrl.replace(/\/+$/, '');
  const call = async <T>(method: 'GET' | 'POST', path: string, schema: z.ZodType<T>, body?: unknown) => {
    let response: Response;
    try {
      response = await settings.fetch(`${base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${settings.token}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(settings.timeoutMs ?? 30_000),
      });
    } catch (error: unknown) {
      const why = error instanceof Error ? (causeMessage(error) ?? error.message) : String(error);
      throw new ApiError(`could not reach the coordinator API at ${base}: ${why}`, undefined, {
        cause: error,
      });
    }
    const text = await response.text();
    const json = parseJson(text);
    if (!response.ok)
      throw new ApiError(describeFailure(method, path, response.status, json), response.status);
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ApiError(
        `unexpected answer from ${method} ${path}: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'not the expected shape'}`,
        response.status,
      );
    }
    return parsed.data;
  };
  return {
    async listIncidents(query) {
      const params = new URLSearchParams();
      if (query.status) params.set('status', query.status);
      if (query.limit !== undefined) params.set('limit', String(query.limit));
      const search = params.size > 0 ? `?${params}` : '';
      const answer = await call(
        'GET',
        `/incidents${search}`,
        z.object({ incidents: z.array(IncidentSummary) }),
      );
      return answer.incidents;
    },
    incident: (incidentId) => call('GET', `/incidents/${encodeURIComponent(incidentId)}`, IncidentDetail),
    decide(decision, target, body) {
      const incident = `/incidents/${encodeURIComponent(target.incidentId)}`;
      const path =
        decision === 'approve' || decision === 'reject'
          ? `${incident}/steps/${encodeURIComponent(target.stepId ?? '')}/${decision}`
          : `${incident}/${decision}`;
      return call('POST', path, DecisionAccepted, body);
    },
    report: (incidentId) =>
      call('GET', `/incidents/${encodeURIComponent(incidentId)}/report?format=json`, IncidentReport),
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** `HTTP 409 (conflict): step x is dispatched, not awaiting approval`, from the API's error body. */
function describeFailure(method: string, path: string, status: number, body: unknown): string {
  const record = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const issues = Array.isArray(record.issues)
    ? (record.issues as { path?: string; message?: string }[])
        .map((issue) => `${issue.path || '(root)'}: ${issue.message}`)
        .join('; ')
    : '';
  const message = [record.message, issues].filter((part) => typeof part === 'string' && part).join(': ');
  const hint = status === 401 ? ' (check IR_API_TOKEN)' : '';
  return `${method} ${path}: HTTP ${status}${typeof record.error === 'string' ? ` (${record.error})` : ''}${message ? `: ${message}` : ''}${hint}`;
}

/** Node's fetch hides the reason (ECONNREFUSED, ENOTFOUND) in `cause`. */
function causeMessage(error: Error): string | undefined {
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof Error) return `${error.message} (${cause.message})`;
  return undefined;
}
