import { eventually } from '@ir/testkit';
import type { IncidentStatus } from '@ir/contracts';
import { type Command, type Fixture, TEST_TOKEN } from './harness.js';

/** How the test's worker doubles answer. */
export interface PlayOptions {
  /** A reason to fail the command with, or undefined to succeed. */
  readonly failWith?: (command: Command) => string | undefined;
  /** Approve every step that waits for approval, through the API (needs `base`). */
  readonly approveAt?: string;
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
  const approved = new Set<string>();
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
          if (step.status !== 'awaiting-approval' || approved.has(step.stepId)) continue;
          const response = await fetch(
            `${options.approveAt}/incidents/${incidentId}/steps/${encodeURIComponent(step.stepId)}/approve`,
            {
              method: 'POST',
              headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' },
              body: JSON.stringify({ by: 'oncall@example.com', reason: 'test approval' }),
            },
          );
          if (response.status !== 202)
            throw new Error(`approval of ${step.stepId} answered ${response.status}`);
          approved.add(step.stepId);
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
