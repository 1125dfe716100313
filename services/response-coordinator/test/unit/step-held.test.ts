import { buildMessage, type MessageOf } from '@ir/contracts';
import type { IncidentPlan } from '@ir/playbooks';
import { describe, expect, it } from 'vitest';
import type { IncidentAggregate } from '../../src/model.js';
import { approvalGranted } from '../../src/state/approvals.js';
import { decide } from '../../src/state/decide.js';
import type { Draft } from '../../src/state/draft.js';
import { stepHeld } from '../../src/state/held.js';
import { openIncident } from '../../src/state/open.js';
import { stepSucceeded } from '../../src/state/results.js';
import { approval, committed, context, opened, operators, planned, succeeded } from './fixtures.js';

/**
 * snapshot → isolate; snapshot → seal → cut-imds: two containments of one instance, the second
 * dispatched only after the first has been held by the isolator.
 */
const twoContainments = (isolateApproval: 'none' | 'required' = 'none'): IncidentPlan => ({
  playbookId: 'test-playbook',
  severityBand: 'HIGH',
  steps: [
    planned('snapshot', 'evidence.snapshot-volumes'),
    planned('isolate', 'contain.ec2-instance', { after: ['snapshot'], approval: isolateApproval }),
    planned('seal', 'evidence.seal', { after: ['snapshot'], params: {} }),
    planned('cut-imds', 'contain.ec2-metadata', { after: ['seal'] }),
  ],
  notes: [],
  omitted: [],
});

/** The isolator's answer: the instance is protected in AWS (the finding said nothing). */
function held(stepId = 'isolate', action: 'contain.ec2-instance' = 'contain.ec2-instance') {
  return buildMessage('step.held', {
    incidentId: 'inc-1',
    correlationId: 'corr-1',
    causationId: null,
    producer: 'isolator',
    dryRun: false,
    payload: {
      stepId,
      action,
      reason: 'protected-resource',
      resources: [
        { key: 'ec2-instance:i-1', tag: 'IR:Protected=TRUE' },
        { key: 'ec2-volume:vol-1', tag: 'ir:protected=true' },
      ],
      heldAt: '2024-05-02T14:00:30.000Z',
    },
  }) as MessageOf<'step.held'>;
}

const step = (aggregate: IncidentAggregate | Draft, stepId: string) =>
  aggregate.steps.find((s) => s.stepId === stepId);

/** The command sent for `stepId` by `draft`, parsed. */
function commandOf(draft: Draft, stepId: string) {
  const entry = draft.outbox.find((item) => JSON.parse(item.body).payload.stepId === stepId);
  if (!entry) throw new Error(`no command for ${stepId}`);
  return { messageId: entry.messageId, payload: JSON.parse(entry.body).payload };
}

/** Opened with no tags in the finding, the snapshot done: isolate (and seal) dispatched. */
function dispatched(isolateApproval: 'none' | 'required' = 'none') {
  const planner = () => twoContainments(isolateApproval);
  const open = committed(openIncident(opened(), planner, context()));
  return committed(
    stepSucceeded(open, succeeded('snapshot', 'evidence.snapshot-volumes'), context({ eventKey: 'e2' })),
    2,
  );
}

describe('stepHeld', () => {
  it('holds a dispatched containment for two approvers, records the resources and tells people', () => {
    // Prepare
    const before = dispatched();
    const unapproved = step(before, 'isolate');
    // Act
    const draft = stepHeld(before, held(), context({ eventKey: 'held-1' }));
    // Assess
    expect(unapproved?.status).toBe('dispatched');
    expect(draft.step('isolate')).toMatchObject({
      status: 'awaiting-approval',
      holdReasons: ['protected-resource'],
      approvalsRequired: 2,
      approvals: [],
    });
    expect(draft.incident.protectedResources).toEqual(['ec2-instance:i-1', 'ec2-volume:vol-1']);
    expect(draft.recorded.find((entry) => entry.kind === 'protected-resources-found')).toMatchObject({
      stepId: 'isolate',
      detail: { source: 'aws', resources: held().payload.resources },
    });
    const notice = draft.steps.find((s) => s.stepId.startsWith('notify:approval-needed:isolate'));
    expect(notice?.params).toMatchObject({
      stage: 'approval-needed',
      details: { holdReasons: ['protected-resource'], approvalsRequired: 2 },
    });
    expect(String(notice?.params.summary)).toContain('ec2-instance:i-1 (IR:Protected=TRUE)');
  });

  it('changes nothing on a second delivery, and is reached through decide', () => {
    // Prepare
    const once = committed(
      decide(dispatched(), held(), () => twoContainments(), context({ eventKey: 'h1' })),
      3,
    );
    // Act
    const twice = decide(once, held(), () => twoContainments(), context({ eventKey: 'h2' }));
    // Assess
    expect(step(once, 'isolate')?.status).toBe('awaiting-approval');
    expect(twice.isEmpty).toBe(true);
  });

  it('drops approvals given for other reasons; two approvers then send it with the approval and a new command id', () => {
    // Prepare: the playbook asks for an approval; Alice gives it; the step goes out approved.
    const waiting = dispatched('required');
    const approvedOnce = approvalGranted(
      waiting,
      approval('isolate', operators.alice),
      context({ eventKey: 'a-1' }),
    );
    const firstCommand = commandOf(approvedOnce, 'isolate');
    const out = committed(approvedOnce, 3);
    // Act: the isolator finds it protected; then Alice and Bob approve.
    const heldAgain = committed(stepHeld(out, held(), context({ eventKey: 'held-1' })), 4);
    const byAlice = committed(
      approvalGranted(heldAgain, approval('isolate', operators.alice), context({ eventKey: 'a-2' })),
      5,
    );
    const byBob = approvalGranted(byAlice, approval('isolate', operators.bob), context({ eventKey: 'b-1' }));
    // Assess
    expect(firstCommand.payload.approval).toEqual({
      approvedBy: ['Alice Approver'],
      holdReasons: ['approval-required'],
    });
    expect(step(heldAgain, 'isolate')).toMatchObject({
      status: 'awaiting-approval',
      holdReasons: ['approval-required', 'protected-resource'],
      approvalsRequired: 2,
      approvals: [],
    });
    expect(step(heldAgain, 'isolate')?.approvedBy).toBeUndefined();
    expect(step(byAlice, 'isolate')?.status).toBe('awaiting-approval');
    const secondCommand = commandOf(byBob, 'isolate');
    expect(byBob.step('isolate')?.status).toBe('dispatched');
    expect(secondCommand.payload.approval).toEqual({
      approvedBy: ['Alice Approver', 'Bob Approver'],
      holdReasons: ['approval-required', 'protected-resource'],
    });
    expect(secondCommand.messageId).not.toBe(firstCommand.messageId);
    expect(secondCommand.messageId).not.toBe(step(dispatched(), 'isolate')?.commandId);
  });

  it('holds the incident’s containments not dispatched yet for the protected resource too', () => {
    // Prepare
    const heldNow = committed(stepHeld(dispatched(), held(), context({ eventKey: 'held-1' })), 3);
    // Act: the seal finishes, so cut-imds is due.
    const draft = stepSucceeded(heldNow, succeeded('seal', 'evidence.seal'), context({ eventKey: 'seal' }));
    // Assess
    expect(draft.step('cut-imds')).toMatchObject({
      status: 'awaiting-approval',
      holdReasons: ['protected-resource'],
      approvalsRequired: 2,
    });
  });
});

describe('the finding-tag check', () => {
  it('compares the protected tag’s key and value without regard to case', () => {
    // Prepare / Act
    const planner = () => twoContainments();
    const open = committed(openIncident(opened({ tags: { 'IR:Protected': 'TRUE' } }), planner, context()));
    const draft = stepSucceeded(
      open,
      succeeded('snapshot', 'evidence.snapshot-volumes'),
      context({ eventKey: 'e2' }),
    );
    // Assess
    expect(open.incident.protectedResources).toEqual(['ec2-instance:i-1']);
    expect(draft.step('isolate')?.holdReasons).toEqual(['protected-resource']);
  });
});
