import type { IncidentPlan } from '@ir/playbooks';
import { describe, expect, it } from 'vitest';
import { openIncident } from '../../src/state/open.js';
import { rollbackRequested } from '../../src/state/operator.js';
import { stepSucceeded } from '../../src/state/results.js';
import { committed, context, opened, operators, planned, rollbackRequest, succeeded } from './fixtures.js';

/** A LOW/MEDIUM plan: tag the resource (contain.tag-incident, planned as no containment) and notify. */
const tagPlan: IncidentPlan = {
  playbookId: 'test-playbook',
  severityBand: 'MEDIUM',
  steps: [
    planned('notify', 'notify.incident'),
    planned('tag', 'contain.tag-incident', {
      containment: false,
      params: { resource: { kind: 'ec2-instance', instanceId: 'i-1' }, severityBand: 'MEDIUM' },
    }),
  ],
  notes: [],
  omitted: [],
};
const planner = () => tagPlan;
const preState = {
  resource: { kind: 'ec2-instance', instanceId: 'i-1' },
  previous: { incidentId: null, severity: null },
};

describe('contain.tag-incident steps in the coordinator', () => {
  it('dispatches the tag of a protected resource with no budget left: no hold, no blast-radius slot', () => {
    // Act
    const draft = openIncident(
      opened({ tags: { 'ir:protected': 'true' }, suppressionUnevaluated: true }),
      planner,
      context({ blastAvailable: 0 }),
    );
    // Assess
    expect(draft.step('tag')).toMatchObject({ status: 'dispatched', containment: false });
    expect(draft.step('tag')?.holdReasons ?? []).toEqual([]);
    expect(draft.blastUsed).toBe(0);
    expect(draft.outbox.map((entry) => JSON.parse(entry.body).type)).toContain('contain.tag-incident');
  });

  it('does not count a succeeded tag as the first containment (no MTTI), and rolls it back with the incident', () => {
    // Prepare
    const open = committed(openIncident(opened(), planner, context()));
    const tagged = stepSucceeded(
      open,
      succeeded('tag', 'contain.tag-incident', preState),
      context({ eventKey: 'e2' }),
    );
    // Act
    const rollback = rollbackRequested(
      committed(tagged, 2),
      rollbackRequest(operators.rita),
      context({ eventKey: 'e3' }),
    );
    // Assess
    expect(tagged.incident.firstContainedAt).toBeUndefined();
    expect(tagged.observations.mttiSeconds).toBeUndefined();
    expect(rollback.step('rollback:tag')).toMatchObject({
      action: 'rollback.tag-incident',
      status: 'awaiting-approval',
      params: { originalStepId: 'tag', preState },
    });
  });
});
