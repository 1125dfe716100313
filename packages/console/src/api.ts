import type {
  DeadLetterList,
  DeadLetterOverview,
  DecisionAccepted,
  Disposition,
  IncidentCategory,
  IncidentDetail,
  IncidentList,
  IncidentReport,
  IncidentStatus,
  RedriveResult,
  ResponseTimeStats,
  SystemQueueName,
} from '@ir/contracts';

/** A refusal or failure of the operator API, with the status and the API's own message. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly error: string,
    message: string,
  ) {
    super(message);
  }
}

/** The message of an error answer: `{ error, message }`, or the issues of a 400. */
async function refusal(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => '');
  let error = response.statusText || 'error';
  let message = text || `HTTP ${response.status}`;
  try {
    const body = JSON.parse(text) as { error?: unknown; message?: unknown; issues?: unknown };
    if (typeof body.error === 'string') error = body.error;
    if (typeof body.message === 'string') message = body.message;
    else if (Array.isArray(body.issues)) {
      message = body.issues
        .map(
          (issue: { path?: unknown; message?: unknown }) => `${String(issue.path)}: ${String(issue.message)}`,
        )
        .join('; ');
    }
  } catch {
    // Not JSON: the text is the message.
  }
  return new ApiError(response.status, error, message);
}

/** The decisions the console can send, by the path segment of their route. */
export type Decision =
  | { readonly kind: 'approve' | 'reject'; readonly stepId: string }
  | { readonly kind: 'rollback' }
  | { readonly kind: 'resolve'; readonly disposition: Disposition; readonly category: IncidentCategory };

/**
 * The operator API as the console calls it: every request carries the person's bearer token, and a
 * 401 (expired or revoked token) calls `onUnauthorized`, which sends the person back to sign in.
 */
export class OperatorApi {
  constructor(
    private readonly base: string,
    private readonly token: () => string | undefined,
    private readonly onUnauthorized: () => void,
  ) {}

  private async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    const token = this.token();
    if (token) headers.set('authorization', `Bearer ${token}`);
    const response = await fetch(`${this.base}${path}`, { ...init, headers, cache: 'no-store' });
    if (response.status === 401) this.onUnauthorized();
    if (!response.ok) throw await refusal(response);
    return response;
  }

  private async json<T>(path: string, init?: RequestInit): Promise<T> {
    return (await (await this.request(path, init)).json()) as T;
  }

  /** `GET /incidents`, newest first; `status` filters on the server. */
  listIncidents(
    query: { readonly status?: IncidentStatus; readonly limit?: number } = {},
  ): Promise<IncidentList> {
    const params = new URLSearchParams({ limit: String(query.limit ?? 500) });
    if (query.status) params.set('status', query.status);
    return this.json(`/incidents?${params}`);
  }

  /** `GET /incidents/:id`: the incident, its steps and its timeline. */
  getIncident(id: string): Promise<IncidentDetail> {
    return this.json(`/incidents/${encodeURIComponent(id)}`);
  }

  /** `GET /incidents/:id/report?format=json`: the report, with the evidence verified now. */
  getReport(id: string): Promise<IncidentReport> {
    return this.json(`/incidents/${encodeURIComponent(id)}/report?format=json`);
  }

  /** The report's raw JSON text, for download exactly as the API sent it. */
  async getReportBlob(id: string): Promise<Blob> {
    const response = await this.request(`/incidents/${encodeURIComponent(id)}/report?format=json`);
    return new Blob([await response.text()], { type: 'application/json' });
  }

  /** `GET /incidents/:id/report?format=markdown`. */
  async getReportMarkdown(id: string): Promise<string> {
    const response = await this.request(`/incidents/${encodeURIComponent(id)}/report?format=markdown`, {
      headers: { accept: 'text/markdown' },
    });
    return response.text();
  }

  /** `GET /stats/response-times?hours`. */
  responseTimes(hours = 24): Promise<ResponseTimeStats> {
    return this.json(`/stats/response-times?hours=${hours}`);
  }

  /** `GET /dlq`: the depth of every dead-letter queue (viewer). */
  deadLetterQueues(): Promise<DeadLetterOverview> {
    return this.json('/dlq');
  }

  /**
   * `GET /dlq/:queue/messages` (responder). The coordinator receives and releases at once to list
   * them, so each call counts as a receive of every message listed: the page calls it on demand only.
   */
  deadLetters(queue: SystemQueueName, limit = 50): Promise<DeadLetterList> {
    return this.json(`/dlq/${encodeURIComponent(queue)}/messages?limit=${limit}`);
  }

  /** `POST /dlq/:queue/redrive` (admin): the messages named, back to their work queue. */
  redrive(queue: SystemQueueName, messageIds: readonly string[], reason: string): Promise<RedriveResult> {
    const body = { messageIds, ...(reason.trim() === '' ? {} : { reason: reason.trim() }) };
    return this.json(`/dlq/${encodeURIComponent(queue)}/redrive`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  /** Sends a decision; the 202 says it was queued, not yet applied (read the incident back). */
  decide(incidentId: string, decision: Decision, reason: string): Promise<DecisionAccepted> {
    const incident = `/incidents/${encodeURIComponent(incidentId)}`;
    const path =
      decision.kind === 'approve' || decision.kind === 'reject'
        ? `${incident}/steps/${encodeURIComponent(decision.stepId)}/${decision.kind}`
        : `${incident}/${decision.kind}`;
    const body = {
      ...(reason.trim() === '' ? {} : { reason: reason.trim() }),
      ...(decision.kind === 'resolve'
        ? { disposition: decision.disposition, category: decision.category }
        : {}),
    };
    return this.json(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  }
}
