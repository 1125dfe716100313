/** The parts of the coordinator's API answers that `pnpm demo` prints. */
export interface IncidentView {
  readonly incident: {
    incidentId: string;
    status: string;
    playbookId: string;
    severityBand: string;
    dryRun: boolean;
    openedAt: string;
  };
  readonly steps: ReadonlyArray<{
    stepId: string;
    action: string;
    status: string;
    holdReasons?: string[];
    failure?: { reason: string };
    skipReason?: string;
  }>;
  readonly timeline: ReadonlyArray<{
    at: string;
    kind: string;
    stepId?: string;
    detail?: Record<string, unknown>;
  }>;
}

/** A small client of the coordinator's operator API (bearer token, asked for on each request). */
export function coordinatorClient(baseUrl: string, token: () => Promise<string>) {
  const get = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${baseUrl}${path}`, {
      headers: { authorization: `Bearer ${await token()}` },
    });
    if (!response.ok) throw new Error(`GET ${path}: HTTP ${response.status}`);
    return (await response.json()) as T;
  };
  return {
    listIncidents: async () =>
      (await get<{ incidents: Array<{ incidentId: string; status: string }> }>('/incidents')).incidents,
    incident: (incidentId: string) => get<IncidentView>(`/incidents/${encodeURIComponent(incidentId)}`),
  };
}

/** Steps still moving: the demo waits until none is. */
export const MOVING_STEP_STATUSES = new Set(['pending', 'dispatched']);
