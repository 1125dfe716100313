import { eventually, queueDepth } from '@ir/testkit';
import type { Finding, IncidentStatus } from '@ir/contracts';
import { type Command, type Fixture, TEST_TOKEN } from './harness.js';

/** How the test's worker doubles answer. */
export interface PlayOptions {
  /** A reason to fail the command with, or undefined to succeed. */
  readonly failWith?: (command: Command) => string | undefined;
  /** Approve every step that waits for approval, through the API at this base URL. */
  readonly approveAt?: string;
  /**
   * The bearer tokens to approve with, in turn: a step that needs two people gets the first token's
   * approval, then the second's (default: the static token, one identity, which is enough only for
   * steps that need one approval and have no requester).
   */
  readonly approvers?: readonly string[];
  readonly until: (status: IncidentStatus, steps: Record<string, string>) => boolean;
  readonly what: string;
}

/** A pre-state as the isolator would record it, naming the step so rollbacks can be traced. */
export const preStateOf = (command: Command) => ({
  recordedFor: command.payload.stepId,
  groups: ['sg-original'],
});

/**
 * Plays the isolator, forensics and notifier: answers every command the coordinator sends (each
 * once, by message id), approves held steps through the API when asked, until the incident reaches
 * the state `until` describes.
 */
export async function playWorkers(fixture: Fixture, incidentId: string, options: PlayOptions): Promise<void> {
  const approvers = options.approvers ?? [TEST_TOKEN];
  /** Approvals sent per step; another is sent once the last one shows on the step. */
  const sent = new Map<string, number>();
  await eventually(
    async () => {
      for (const command of await fixture.commands(0)) {
        if (command.incidentId !== incidentId) continue;
        const reason = options.failWith?.(command);
        if (reason) await fixture.fail(command, reason);
        else
          await fixture.succeed(
            command,
            command.type.startsWith('contain.') ? preStateOf(command) : undefined,
          );
      }
      const aggregate = await fixture.incident(incidentId);
      if (!aggregate) return false;
      if (options.approveAt) {
        for (const step of aggregate.steps) {
          if (step.status !== 'awaiting-approval') continue;
          const count = sent.get(step.stepId) ?? 0;
          if (count > step.approvals.length) continue;
          // One approval releases a rollback's whole batch: approve its first waiting step only.
          if (step.origin === 'rollback' && [...sent.keys()].some((id) => id.startsWith('rollback:')))
            continue;
          const token = approvers[count];
          if (!token) throw new Error(`no approver left for ${step.stepId} (${count} sent)`);
          const response = await fetch(
            `${options.approveAt}/incidents/${incidentId}/steps/${encodeURIComponent(step.stepId)}/approve`,
            {
              method: 'POST',
              headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
              body: JSON.stringify({ reason: 'test approval' }),
            },
          );
          // 409: the step moved on meanwhile (e.g. released with its rollback batch).
          if (response.status !== 202 && response.status !== 409)
            throw new Error(
              `approval of ${step.stepId} answered ${response.status}: ${await response.text()}`,
            );
          sent.set(step.stepId, count + 1);
        }
      }
      const steps = Object.fromEntries(aggregate.steps.map((step) => [step.stepId, step.status]));
      return options.until(aggregate.incident.status, steps);
    },
    // Generous: on a loaded 2-core machine moto answers slowly; the test asserts outcomes, not speed.
    150_000,
    options.what,
  );
}

/**
 * Opens an incident for `finding` and plays the workers until a step waits for approval with nothing
 * in flight: the starting point of the decision tests.
 */
export async function openAwaitingApproval(
  fixture: Fixture,
  incidentId: string,
  finding: Finding,
  what = 'a step awaiting approval, nothing in flight',
): Promise<void> {
  await fixture.open(incidentId, finding);
  await playWorkers(fixture, incidentId, {
    until: (_status, steps) =>
      Object.values(steps).includes('awaiting-approval') && !Object.values(steps).includes('dispatched'),
    what,
  });
}

/**
 * Waits for the coordinator queue to drain, then stops the consumer of a started service: from then
 * on its API still answers, and whatever it publishes stays on the queue for the test to read.
 */
export async function stopConsumer(
  fixture: Fixture,
  started: { readonly service: { readonly worker: { stop(timeoutMs: number): Promise<unknown> } } },
): Promise<void> {
  await eventually(
    async () => (await queueDepth(fixture.clients.sqs, fixture.system.queues.coordinator.url)) === 0,
    30_000,
    'the coordinator queue drained',
  );
  await started.service.worker.stop(5_000);
}
