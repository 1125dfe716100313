import {
  IncidentDetail,
  IncidentList,
  type IncidentSummary,
  type DecisionRequest,
  type ResolveRequest,
  type StepRecord,
} from '@ir/contracts';

/*
 * The operator API's shapes are contracts (`operatorApi` in @ir/contracts); these names are what the
 * suites have always called them.
 */

/** A step as `GET /incidents/:id` shows it. */
export type StepView = StepRecord;

/** An incident as `GET /incidents/:id` returns it. */
export type IncidentView = IncidentDetail;

/** One line of `GET /incidents`. */
export type { IncidentSummary };

/** An operator decision's body: only why; who is the token's identity (a `by` is ignored). */
export type Decision = DecisionRequest;

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
  resolve(incidentId: string, decision: ResolveRequest): Promise<void>;
}

/** A bearer token, or where to get the current one (an OIDC access token expires during a long run). */
export type TokenSource = string | (() => Promise<string>);

/**
 * A small client of the coordinator's operator API. Step ids can contain ':', so every path segment
 * is URL-encoded.
 */
export function coordinatorApi(baseUrl: string, token: TokenSource): CoordinatorApi {
  const bearer = typeof token === 'string' ? async () => token : token;
  const call = async <T>(method: 'GET' | 'POST', path: string, body?: Decision): Promise<T> => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${await bearer()}`,
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
  const read = async <T>(path: string, schema: { parse: (value: unknown) => T }): Promise<T> =>
    schema.parse(await call<unknown>('GET', path));
  const id = encodeURIComponent;
  return {
    // Answers are parsed with the contract, so a suite also notices when the API drifts from it.
    list: async (status) =>
      (await read(`/incidents?limit=500${status ? `&status=${status}` : ''}`, IncidentList)).incidents,
    get: (incidentId) => read(`/incidents/${id(incidentId)}`, IncidentDetail),
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
