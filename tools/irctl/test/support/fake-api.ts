/**
 * A stand-in for the coordinator's HTTP API in unit tests: routes `method path` to a status and JSON
 * body and records what it was sent. Integration tests use the real coordinator instead.
 */
export interface FakeRoute {
  readonly status: number;
  readonly body: unknown;
}

/** A recorded request: method, path (with query) and headers. */
export interface FakeRequest {
  readonly method: string;
  readonly path: string;
  readonly authorization: string | null;
  readonly body: unknown;
}

/** A `fetch` answering from `routes` (a function so a test can change answers between calls). */
export function fakeApi(routes: (method: string, path: string) => FakeRoute | undefined) {
  const requests: FakeRequest[] = [];
  const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(String(input));
    const method = init?.method ?? 'GET';
    const path = `${url.pathname}${url.search}`;
    const headers = new Headers(init?.headers);
    requests.push({
      method,
      path,
      authorization: headers.get('authorization'),
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
    });
    const route = routes(method, path) ?? { status: 404, body: { error: 'not-found', message: 'no route' } };
    return new Response(JSON.stringify(route.body), {
      status: route.status,
      headers: { 'content-type': 'application/json' },
    });
  }) as typeof globalThis.fetch;
  return { fetch, requests };
}

/** An incident as the coordinator lists it. */
export function incidentSummary(overrides: Record<string, unknown> = {}) {
  return {
    incidentId: 'inc-1',
    status: 'open',
    playbookId: 'ec2-compromise',
    severityBand: 'HIGH',
    dryRun: false,
    openedAt: '2026-03-01T10:00:01.000Z',
    receivedAt: '2026-03-01T10:00:00.000Z',
    summary: 'C&C traffic from i-0abc',
    version: 3,
    ...overrides,
  };
}

/** An incident view as `GET /incidents/:id` answers. */
export function incidentView(steps: Record<string, unknown>[], overrides: Record<string, unknown> = {}) {
  return {
    incident: incidentSummary(overrides),
    steps,
    timeline: [
      { at: '2026-03-01T10:00:01.000Z', kind: 'incident-opened', detail: { playbookId: 'ec2-compromise' } },
    ],
  };
}
