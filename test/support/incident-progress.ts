import type { CoordinatorApi, IncidentView, StepView } from './coordinator-api.js';

/** Step statuses after which a step will not move without a person. */
const BLOCKING = new Set(['awaiting-approval', 'pending', 'dispatched', 'failed', 'timed-out']);

/**
 * True when nothing in the incident moves any more without a person: no step in flight, and every
 * pending step waits behind a step that is held, failed or timed out. Why not just "no pending
 * step": a step after an approval-gated one stays pending until someone decides.
 */
export function isQuiescent(view: IncidentView): boolean {
  const byId = new Map(view.steps.map((step) => [step.stepId, step] as const));
  return view.steps.every((step) => {
    if (step.status === 'dispatched') return false;
    if (step.status !== 'pending') return true;
    return step.after.some((dependency) => {
      const status = byId.get(dependency)?.status;
      return status !== undefined && status !== 'pending' && BLOCKING.has(status);
    });
  });
}

/** The step with this action (and, when given, this step id prefix); throws naming what is missing. */
export function stepOf(view: IncidentView, action: string, idPrefix?: string): StepView {
  const step = view.steps.find(
    (candidate) => candidate.action === action && (!idPrefix || candidate.stepId.startsWith(idPrefix)),
  );
  if (!step) {
    throw new Error(
      `incident ${view.incident.incidentId} has no ${action} step (steps: ${view.steps.map((s) => `${s.stepId}=${s.status}`).join(', ')})`,
    );
  }
  return step;
}

/** A one-line account of an incident for assertion messages. */
export function describeIncident(view: IncidentView): string {
  const steps = view.steps
    .map((step) => `${step.stepId}=${step.status}${step.failure ? `(${step.failure.reason})` : ''}`)
    .join(', ');
  return `${view.incident.incidentId} ${view.incident.playbookId} ${view.incident.status}: ${steps}`;
}

/** Options of {@link waitForIncidents}. */
export interface WaitForIncidentsOptions {
  /** Incidents that must exist (all statuses count). */
  readonly count: number;
  /** Only incidents this accepts are counted. */
  readonly filter?: (view: IncidentView) => boolean;
  /** What "done" means for each; quiescent by default. */
  readonly done?: (view: IncidentView) => boolean;
  readonly timeoutMs?: number;
}

/**
 * Polls the coordinator's API until `count` incidents (passing `filter`) exist and each is `done`,
 * and returns them. API errors while polling (a coordinator being restarted) are waited out. On time
 * out it throws with each incident's state, so a failing test says where the pipeline stopped.
 */
export async function waitForIncidents(
  api: CoordinatorApi,
  options: WaitForIncidentsOptions,
): Promise<IncidentView[]> {
  const { count, filter = () => true, done = isQuiescent, timeoutMs = 180_000 } = options;
  const deadline = Date.now() + timeoutMs;
  let views: IncidentView[] = [];
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const listed = await api.list();
      views = (await Promise.all(listed.map((summary) => api.get(summary.incidentId)))).filter(filter);
      if (views.length >= count && views.every(done)) return views;
    } catch (error: unknown) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  const states = views.map(describeIncident).join('\n  ');
  const cause = lastError instanceof Error ? ` (last API error: ${lastError.message})` : '';
  throw new Error(
    `expected ${count} settled incidents within ${timeoutMs} ms, saw ${views.length}${cause}:\n  ${states}`,
  );
}

/** Waits for the incident holding the finding `findingId` to satisfy `done` (quiescent by default). */
export async function waitForIncidentOf(
  api: CoordinatorApi,
  findingId: string,
  done: (view: IncidentView) => boolean = isQuiescent,
  timeoutMs = 180_000,
): Promise<IncidentView> {
  const [view] = await waitForIncidents(api, {
    count: 1,
    filter: (candidate) => candidate.incident.findings.some((finding) => finding.id.includes(findingId)),
    done,
    timeoutMs,
  });
  if (!view) throw new Error(`no incident for finding ${findingId}`);
  return view;
}
