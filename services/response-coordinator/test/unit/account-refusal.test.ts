import { describe, expect, it } from 'vitest';
import { openIncident } from '../../src/state/open.js';
import { context, opened, plan } from './fixtures.js';

describe('openIncident for an account that is not allowed', () => {
  it('plans nothing, needs attention, records the refusal and pages with the reason', () => {
    // Prepare
    let planned = false;
    const planner = () => {
      planned = true;
      return plan;
    };
    const reason = 'account 444444444444 is not in IR_ALLOWED_ACCOUNTS; nothing was done in it';
    // Act
    const draft = openIncident(opened(), planner, context(), reason);
    // Assess
    expect(planned).toBe(false);
    expect(draft.incident.status).toBe('needs-attention');
    expect(draft.steps.map((step) => [step.stepId, step.action, step.status])).toEqual([
      ['notify:account-refused', 'notify.incident', 'dispatched'],
    ]);
    expect(draft.outbox.map((entry) => entry.queue)).toEqual(['notifier']);
    const notify = JSON.parse(draft.outbox[0]?.body ?? '{}') as {
      payload: { params: { stage: string; summary: string; details: { page?: boolean } } };
    };
    expect(notify.payload.params.stage).toBe('step-failed');
    expect(notify.payload.params.summary).toContain(reason);
    expect(notify.payload.params.details.page).toBe(true);
    const kinds = draft.toTransition().timeline.map((entry) => entry.kind);
    expect(kinds).toContain('account-refused');
  });
});
