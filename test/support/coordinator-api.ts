/** A step as the coordinator's API shows it (the fields these suites read). */
export interface StepView {
  readonly stepId: string;
  readonly action: string;
  readonly status: string;
  readonly after: readonly string[];
  readonly containment: boolean;
  readonly params: Record<string, unknown>;
  readonly holdReasons?: readonly string[];
  readonly result?: Record<string, unknown>;
  readonly preState?: Record<string, unknown>;
  readonly verified?: Record<string, unknown>;
  readonly failure?: { readonly reason: string; readonly errorName: string };
  readonly skipReason?: string;
  readonly rollbackOf?: string;
  readonly completedAt?: string;
}

/** An incident as `GET /incidents/:id` returns it. */
export interface IncidentView {
  readonly incident: {
    readonly incidentId: string;
    readonly status: string;
    readonly playbookId: string;
    readonly severityBand: string;
    readonly dryRun: boolean;
    readonly receivedAt: string;
    readonly openedAt: string;
    readonly firstContainedAt?: string;
    readonly evidenceSealedAt?: string;
    readonly findings: ReadonlyArray<{ readonly id: string; readonly type: string; readonly count: number }>;
    readonly notes: readonly string[];
    readonly version: number;
  };
  readonly steps: readonly StepView[];
  readonly timeline: ReadonlyArray<{ readonly at: string; readonly kind: string; readonly stepId?: string }>;
}

/** One line of `GET /incidents`. */
export interface IncidentSummary {
  readonly incidentId: string;
  readonly status: string;
  readonly playbookId: string;
  readonly dryRun: boolean;
}

/** An operator decision's body. */
export interface Decision {
  readonly by: string;
  readonly reason?: string;
}

/** A non-2xx answer of the coordinator's API, with its status so callers can tell 404 from 409. */
export class CoordinatorApiError extends Error {
  override readonly name = 'CoordinatorApiError';
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** The client the suites use: every route of the operator API, bearer token included. */
export interface CoordinatorApi {
  list(status?: string): Promise<IncidentSummary[]>;
  get(incidentId: string): Promise<IncidentView>;
  approve(incidentId: string, stepId: string, decision: Decision): Promise<void>;
  reject(incidentId: string, stepId: string, decision: Decision): Promise<void>;
  rollback(incidentId: string, decision: Decision): Promise<void>;
  resolve(incidentId: string, decision: Decision): Promise<void>;
}

/**
 * A small client of the coordinator's operator API. Step ids can contain ':', so every path segment
 * is URL-encoded.
 */
export function coordinatorApi(baseUrl: string, token: string): CoordinatorApi {
  const call = async <T>(method: 'GET' | 'POST', path: string, body?: Decision): Promise<T> => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await response.text();
    if (!response.ok) {
      throw new CoordinatorApiError(`${method} ${path}: HTTP ${response.status} ${text}`, response.status);
    }
    return (text ? JSON.parse(text) : {}) as T;
  };
  const id = encodeURIComponent;
  return {
    list: async (status) =>
      (
        await call<{ incidents: IncidentSummary[] }>(
          'GET',
          `/incidents?limit=500${status ? `&status=${status}` : ''}`,
        )
      ).incidents,
    get: (incidentId) => call<IncidentView>('GET', `/incidents/${id(incidentId)}`),
    approve: async (incidentId, stepId, decision) => {
      await call('POST', `/incidents/${id(incidentId)}/steps/${id(stepId)}/approve`, decision);
    },
    reject: async (incidentId, stepId, decision) => {
      await call('POST', `/incidents/${id(incidentId)}/steps/${id(stepId)}/reject`, decision);
    },
    rollback: async (incidentId, decision) => {
      await call('POST', `/incidents/${id(incidentId)}/rollback`, decision);
    },
    resolve: async (incidentId, decision) => {
      await call('POST', `/incidents/${id(incidentId)}/resolve`, decision);
    },
  };
}
