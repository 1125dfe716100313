import type { RecordedCall } from '../support/fault-proxy.js';

/** The phases of one incident the bench splits its AWS calls into. */
export const PHASES = ['intake', 'evidence', 'containment', 'seal', 'notify'] as const;
/** @see PHASES */
export type Phase = (typeof PHASES)[number];

/** What the bench needs of one step of the probe incident (from `GET /incidents/:id`). */
export interface StepTiming {
  readonly action: string;
  readonly queue: string;
  readonly sealsEvidence: boolean;
  readonly dispatchedAt?: string | undefined;
  readonly completedAt?: string | undefined;
}

/** The AWS calls of one incident, counted by calling service, AWS operation and phase. */
export interface CallBreakdown {
  readonly total: number;
  /** `<calling service> <aws service>:<operation>` → calls, largest first. */
  readonly byOperation: Record<string, number>;
  /** Calling service → calls. */
  readonly byCaller: Record<string, number>;
  readonly byPhase: Record<Phase, number>;
  /** DynamoDB and SQS calls, every service together, before the first containment call. */
  readonly coordinationBeforeIsolation: number;
  /** EC2 calls the isolator made. */
  readonly ec2ByIsolator: number;
}

/** The service that made a call: the SDK's `app/<id>` User-Agent entry (set from the service name). */
export function callerOf(call: RecordedCall): string {
  const agent = call.headers['user-agent'] ?? call.headers['x-amz-user-agent'] ?? '';
  return /(?:^|\s)app\/([\w.-]+)/.exec(agent)?.[1] ?? 'unknown';
}

const phaseOfStep = (step: StepTiming): Phase =>
  step.sealsEvidence
    ? 'seal'
    : step.queue === 'isolator'
      ? 'containment'
      : step.queue === 'notifier'
        ? 'notify'
        : 'evidence';

/**
 * Splits an incident's calls into phases. A worker's call belongs to the phase of the step it was
 * running (the step of that worker's queue whose dispatch-to-completion window holds the call; the
 * nearest one otherwise); detection's calls are intake. The coordinator works on whichever result just
 * came back, so its call belongs to the phase of the step that completed last before it, and to intake
 * before any step completed (opening the incident and dispatching the plan).
 */
export function phaseOf(call: RecordedCall, steps: readonly StepTiming[]): Phase {
  const caller = callerOf(call);
  const queue = caller === 'isolator' ? 'isolator' : caller === 'notifier' ? 'notifier' : caller;
  const at = call.at;
  const windowOf = (step: StepTiming) => ({
    from: Date.parse(step.dispatchedAt ?? '') || Number.NEGATIVE_INFINITY,
    to: Date.parse(step.completedAt ?? '') || Number.POSITIVE_INFINITY,
  });
  if (caller === 'isolator' || caller === 'notifier' || caller === 'forensics') {
    const mine = steps.filter((step) => step.queue === queue);
    const distance = (step: StepTiming) => {
      const { from, to } = windowOf(step);
      return at < from ? from - at : at > to ? at - to : 0;
    };
    const nearest = [...mine].sort((a, b) => distance(a) - distance(b))[0];
    return nearest ? phaseOfStep(nearest) : 'evidence';
  }
  if (caller === 'response-coordinator') {
    const finished = steps
      .filter((step) => step.completedAt && Date.parse(step.completedAt) <= at)
      .sort((a, b) => Date.parse(b.completedAt ?? '') - Date.parse(a.completedAt ?? ''));
    return finished[0] ? phaseOfStep(finished[0]) : 'intake';
  }
  return 'intake';
}

/** Calls by `<calling service> <aws service>:<operation>`, most first. */
export const countCalls = (calls: readonly RecordedCall[]) =>
  sortedCounts(calls.map((call) => `${callerOf(call)} ${call.service}:${call.operation}`));

const sortedCounts = (keys: readonly string[]) => {
  const counts = new Map<string, number>();
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  return Object.fromEntries([...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
};

const CONTAINMENT_OPERATIONS = new Set(['ModifyNetworkInterfaceAttribute', 'ModifyInstanceAttribute']);

/** Counts one incident's recorded calls (already filtered to that incident's work). */
export function breakdownOf(calls: readonly RecordedCall[], steps: readonly StepTiming[]): CallBreakdown {
  const byPhase = Object.fromEntries(PHASES.map((phase) => [phase, 0])) as Record<Phase, number>;
  for (const call of calls) byPhase[phaseOf(call, steps)] += 1;
  const firstContainment = Math.min(
    ...calls.filter((call) => CONTAINMENT_OPERATIONS.has(call.operation)).map((call) => call.at),
  );
  return {
    total: calls.length,
    byOperation: countCalls(calls),
    byCaller: sortedCounts(calls.map(callerOf)),
    byPhase,
    coordinationBeforeIsolation: calls.filter(
      (call) => call.at < firstContainment && (call.service === 'dynamodb' || call.service === 'sqs'),
    ).length,
    ec2ByIsolator: calls.filter((call) => call.service === 'ec2' && callerOf(call) === 'isolator').length,
  };
}
