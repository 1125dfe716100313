import type { Draft } from './draft.js';
import { raiseNotification } from './notifications.js';
import { isAdvisoryStep } from './finding-sync.js';

/**
 * Moves the incident to the status its steps imply: `completed` once every step of an open
 * incident finished well, `rolled-back` once every rollback succeeded (a failed or replaced attempt
 * counts once a retry rolled its containment back). `needs-attention` is set where a failure happens
 * and stays until a person resolves or rolls back (again).
 */
export function completeWhenDone(draft: Draft): void {
  const incident = draft.incident;
  if (incident.status === 'resolved') return;
  const steps = draft.steps;
  if (incident.rollbackRequestedAt !== undefined) {
    const rollbacks = steps.filter((step) => step.origin === 'rollback');
    const done = (step: (typeof rollbacks)[number]) =>
      step.status === 'succeeded' || draft.step(step.rollbackOf ?? '')?.status === 'rolled-back';
    if (incident.status === 'rolling-back' && rollbacks.every(done)) {
      const succeeded = rollbacks.filter((step) => step.status === 'succeeded').length;
      draft.setStatus('rolled-back');
      draft.record('incident-rolled-back', { rollbacks: succeeded });
      raiseNotification(
        draft,
        'rolled-back',
        'rolled-back',
        `Every containment of the incident was rolled back (${succeeded} step(s))`,
      );
    }
    return;
  }
  if (incident.status !== 'open') return;
  // A finding sync that failed or timed out does not keep the incident from completing (finding-sync.ts).
  const finished = (step: (typeof steps)[number]) =>
    step.status === 'succeeded' ||
    step.status === 'skipped' ||
    (isAdvisoryStep(step) && (step.status === 'failed' || step.status === 'timed-out'));
  if (steps.every(finished)) {
    draft.setStatus('completed');
    draft.record('incident-completed', { steps: steps.length });
  }
}
