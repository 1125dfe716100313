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
    /** The steps this one waits for. */
    after?: string[];
    holdReasons?: string[];
    approvals?: unknown[];
    approvalsRequired?: number;
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

/** Step statuses that keep the steps after them waiting until a person acts (or for good). */
const HOLDING_STEP_STATUSES = new Set(['awaiting-approval', 'failed', 'timed-out']);

/**
 * True when nothing in the incident moves any more without a person: no step dispatched, and every
 * pending step waits (directly or through other pending steps) behind one that is held for approval,
 * failed or timed out. Why not "no pending step": the step after a held NACL block stays pending
 * until two approvers decide, and the demo does not wait for people.
 */
export function isSettled(view: IncidentView): boolean {
  const byId = new Map(view.steps.map((step) => [step.stepId, step] as const));
  const held = new Map<string, boolean>();
  const isHeld = (stepId: string, seen: ReadonlySet<string>): boolean => {
    const known = held.get(stepId);
    if (known !== undefined) return known;
    const step = byId.get(stepId);
    if (!step || seen.has(stepId)) return false;
    const answer =
      HOLDING_STEP_STATUSES.has(step.status) ||
      (step.status === 'pending' &&
        (step.after ?? []).some((dependency) => isHeld(dependency, new Set([...seen, stepId]))));
    held.set(stepId, answer);
    return answer;
  };
  return view.steps.every(
    (step) => step.status !== 'dispatched' && (step.status !== 'pending' || isHeld(step.stepId, new Set())),
  );
}
