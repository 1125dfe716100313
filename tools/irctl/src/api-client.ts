import {
  type CreateSuppressionRequest,
  DecisionAccepted,
  type Disposition,
  type IncidentCategory,
  IncidentList,
  IncidentReport,
  IncidentSummary,
  StepRecord,
  StoredSuppressionRule,
  SuppressionList,
  SuppressionProposal,
  type SuppressionProposalRequest,
  TimelineEntry,
} from '@ir/contracts';
import { z } from 'zod';
import { ApiError } from './errors.js';

/*
 * The operator API's answers are contracts (`operatorApi` in @ir/contracts). irctl reads them through
 * views of those schemas: the fields it shows are required, every other field keeps its contract type
 * but may be absent, and unknown fields are kept for `--json`. Why not the whole contract: a
 * coordinator one version apart should still list and show, and fail loudly only on what irctl uses.
 */

/** An incident as the coordinator lists it (`IncidentSummary`), as irctl reads it. */
export const IncidentSummaryView = IncidentSummary.partial()
  .required({
    incidentId: true,
    status: true,
    playbookId: true,
    severityBand: true,
    dryRun: true,
    openedAt: true,
  })
  .loose();
/** @see IncidentSummaryView */
export type IncidentSummaryView = z.infer<typeof IncidentSummaryView>;

/** One step of an incident (`StepRecord`), as irctl reads it. */
export const StepView = StepRecord.partial().required({ stepId: true, action: true, status: true }).loose();
/** @see StepView */
export type StepView = z.infer<typeof StepView>;

/** One timeline entry (`TimelineEntry`), as irctl reads it. */
export const TimelineView = TimelineEntry.partial().required({ at: true, kind: true }).loose();
/** @see TimelineView */
export type TimelineView = z.infer<typeof TimelineView>;

/** `GET /incidents/:id` (`IncidentDetail`): the incident, its steps and its timeline, as irctl reads it. */
export const IncidentDetailView = z.object({
  incident: IncidentSummaryView,
  steps: z.array(StepView),
  timeline: z.array(TimelineView),
});
/** @see IncidentDetailView */
export type IncidentDetailView = z.infer<typeof IncidentDetailView>;

/** `GET /incidents` (`IncidentList`), as irctl reads it. */
const IncidentListView = IncidentList.extend({ incidents: z.array(IncidentSummaryView) });

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
  listIncidents(query: { status?: string; limit?: number }): Promise<IncidentSummaryView[]>;
  incident(incidentId: string): Promise<IncidentDetailView>;
  decide(
    decision: Decision,
    target: { incidentId: string; stepId?: string },
    body: { reason?: string; disposition?: Disposition; category?: IncidentCategory },
  ): Promise<DecisionAccepted>;
  /** `GET /incidents/:id/report`: the incident report (version 1), built and verified by the coordinator. */
  report(incidentId: string): Promise<IncidentReport>;
  /** `POST /incidents/:id/suppression-proposal`: a rule from a false-positive incident and its match count. */
  proposeSuppression(
    incidentId: string,
    body: Partial<SuppressionProposalRequest>,
  ): Promise<SuppressionProposal>;
  /** `POST /suppressions`: writes a rule (author: the token's identity). */
  createSuppression(body: z.input<typeof CreateSuppressionRequest>): Promise<StoredSuppressionRule>;
  /** `GET /suppressions`. */
  listSuppressions(): Promise<StoredSuppressionRule[]>;
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
      const answer = await call('GET', `/incidents${search}`, IncidentListView);
      return answer.incidents;
    },
    incident: (incidentId) => call('GET', `/incidents/${encodeURIComponent(incidentId)}`, IncidentDetailView),
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
    proposeSuppression: (incidentId, body) =>
      call(
        'POST',
        `/incidents/${encodeURIComponent(incidentId)}/suppression-proposal`,
        SuppressionProposal,
        body,
      ),
    createSuppression: (body) => call('POST', '/suppressions', StoredSuppressionRule, body),
    listSuppressions: async () => (await call('GET', '/suppressions', SuppressionList)).rules,
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
  const hint =
    status === 401 ? ' (the token was refused: check it with irctl whoami, or run irctl login)' : '';
  return `${method} ${path}: HTTP ${status}${typeof record.error === 'string' ? ` (${record.error})` : ''}${message ? `: ${message}` : ''}${hint}`;
}

/** Node's fetch hides the reason (ECONNREFUSED, ENOTFOUND) in `cause`. */
function causeMessage(error: Error): string | undefined {
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof Error) return `${error.message} (${cause.message})`;
  return undefined;
}
