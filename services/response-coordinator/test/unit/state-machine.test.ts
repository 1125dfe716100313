import { buildMessage } from '@ir/contracts';
import { describe, expect, it } from 'vitest';
import { UnknownStepError } from '../../src/errors.js';
import { openIncident } from '../../src/state/open.js';
import { approvalGranted, approvalRejected } from '../../src/state/approvals.js';
import { rollbackRequested } from '../../src/state/operator.js';
import { stepFailed, stepSucceeded } from '../../src/state/results.js';
import { escalateOverdueSteps } from '../../src/state/escalate-overdue-steps.js';
import type { IncidentAggregate } from '../../src/model.js';
import {
  approval,
  committed,
  context,
  opened,
  operators,
  plan,
  rollbackRequest,
  succeeded,
  type TestOperator,
} from './fixtures.js';

const planner = () => plan;
const statuses = (steps: readonly { stepId: string; status: string }[]) =>
  Object.fromEntries(steps.map((step) => [step.stepId, step.status]));

/** `who` approves `stepId`, committed as the next version. */
function approvedBy(
  aggregate: IncidentAggregate,
  stepId: string,
  who: TestOperator,
  eventKey = `approve-${who.subject}`,
) {
  return committed(
    approvalGranted(aggregate, approval(stepId, who), context({ eventKey })),
    aggregate.version + 1,
  );
}

describe('openIncident', () => {
  it('dispatches the steps without dependencies and holds back the rest', () => {
    // Prepare / Act
    const draft = openIncident(opened(), planner, context());
    // Assess
    expect(statuses(draft.steps)).toEqual({
      snapshot: 'dispatched',
      notify: 'dispatched',
      isolate: 'pending',
      seal: 'pending',
    });
    expect(draft.outbox.map((entry) => entry.queue)).toEqual(['forensics', 'notifier']);
    expect(draft.toTransition().observations.incidentOpened).toEqual({
      playbook: 'test-playbook',
      severity: 'HIGH',
    });
  });

  it('opens an incident that needs attention and tells people when planning fails', () => {
    // Prepare / Act
    const draft = openIncident(
      opened(),
      () => {
        throw new Error('no playbook matches');
      },
      context(),
    );
    // Assess
    expect(draft.incident.status).toBe('needs-attention');
    expect(draft.steps.map((step) => [step.stepId, step.status])).toEqual([
      ['notify:planning-failed', 'dispatched'],
    ]);
  });

  it('carries dry-run on every command', () => {
    // Prepare / Act
    const draft = openIncident(opened({ dryRun: true }), planner, context());
    // Assess
    expect(draft.outbox.map((entry) => (JSON.parse(entry.body) as { dryRun: boolean }).dryRun)).toEqual([
      true,
      true,
    ]);
  });
});

describe('containment gates', () => {
  const afterSnapshot = (options: Parameters<typeof opened>[0], blastAvailable = 5) => {
    const open = committed(openIncident(opened(options), planner, context({ blastAvailable })));
    return stepSucceeded(
      open,
      succeeded('snapshot', 'evidence.snapshot-volumes'),
      context({ blastAvailable, eventKey: 'e2' }),
    );
  };

  it('dispatches a containment automatically within the budget and counts it', () => {
    const draft = afterSnapshot({});
    expect(draft.step('isolate')?.status).toBe('dispatched');
    expect(draft.blastUsed).toBe(1);
  });

  it('holds the containment beyond the blast radius and pages on-call', () => {
    const draft = afterSnapshot({}, 0);
    expect(draft.step('isolate')).toMatchObject({
      status: 'awaiting-approval',
      holdReasons: ['blast-radius'],
    });
    expect(draft.step('notify:approval-needed:isolate')?.params).toMatchObject({ details: { page: true } });
    expect(draft.blastUsed).toBe(0);
  });

  it('holds a containment of a protected resource, whatever the budget', () => {
    const draft = afterSnapshot({ tags: { 'ir:protected': 'true' } });
    expect(draft.step('isolate')).toMatchObject({
      status: 'awaiting-approval',
      holdReasons: ['protected-resource'],
    });
  });

  it('holds every containment when suppression could not be evaluated', () => {
    const draft = afterSnapshot({ suppressionUnevaluated: true });
    expect(draft.step('isolate')?.holdReasons).toEqual(['suppression-unevaluated']);
  });

  it('does not spend the budget in a dry run', () => {
    const draft = afterSnapshot({ dryRun: true }, 0);
    expect(draft.step('isolate')?.status).toBe('dispatched');
    expect(draft.blastUsed).toBe(0);
  });
});

describe('step results', () => {
  it('ignores a second delivery of the same result', () => {
    // Prepare
    const open = committed(openIncident(opened(), planner, context()));
    const once = committed(
      stepSucceeded(open, succeeded('snapshot', 'evidence.snapshot-volumes'), context()),
      2,
    );
    // Act
    const twice = stepSucceeded(
      once,
      succeeded('snapshot', 'evidence.snapshot-volumes'),
      context({ eventKey: 'e3' }),
    );
    // Assess
    expect(twice.isEmpty).toBe(true);
  });

  it('rejects a result for a step the incident does not have', () => {
    const open = committed(openIncident(opened(), planner, context()));
    expect(() => stepSucceeded(open, succeeded('nope', 'evidence.seal'), context())).toThrow(
      UnknownStepError,
    );
  });

  it('marks the incident needs-attention and notifies on a failure, leaving other branches alone', () => {
    // Prepare
    const open = committed(openIncident(opened(), planner, context()));
    const failure = buildMessage('step.failed', {
      incidentId: 'inc-1',
      correlationId: 'corr-1',
      causationId: null,
      producer: 'forensics',
      dryRun: false,
      payload: {
        stepId: 'snapshot',
        action: 'evidence.snapshot-volumes',
        reason: 'volume vol-1 is encrypted with a key we cannot use',
        errorName: 'AccessDenied',
        retryable: false,
        failedAt: '2024-05-02T14:00:20.000Z',
      },
    });
    // Act
    const draft = stepFailed(open, failure, context());
    // Assess
    expect(draft.incident.status).toBe('needs-attention');
    expect(draft.step('notify:step-failed:snapshot')?.status).toBe('dispatched');
    expect(draft.step('notify')?.status).toBe('dispatched');
    expect(draft.step('isolate')?.status).toBe('pending');
  });

  it('records a step the worker skipped as skipped, with its reason, and lets dependents go on', () => {
    // Prepare
    const open = committed(openIncident(opened(), planner, context()));
    const skippedResult = succeeded('snapshot', 'evidence.snapshot-volumes');
    const skipped = {
      ...skippedResult,
      payload: {
        ...skippedResult.payload,
        result: { skipped: true, reason: 'instance is not managed by SSM' },
      },
    };
    // Act
    const draft = stepSucceeded(open, skipped, context());
    // Assess
    expect(draft.step('snapshot')).toMatchObject({
      status: 'skipped',
      skipReason: 'instance is not managed by SSM',
    });
    expect(draft.step('isolate')?.status).toBe('dispatched');
    expect(draft.toTransition().observations.stepOutcomes).toContainEqual({
      action: 'evidence.snapshot-volumes',
      outcome: 'skipped',
    });
  });

  it('observes MTTI once, from detection receipt to the first containment', () => {
    // Prepare
    const open = committed(openIncident(opened(), planner, context()));
    const snap = committed(
      stepSucceeded(open, succeeded('snapshot', 'evidence.snapshot-volumes'), context()),
      2,
    );
    // Act
    const draft = stepSucceeded(
      snap,
      succeeded('isolate', 'contain.ec2-instance', { groups: ['sg-1'] }),
      context(),
    );
    // Assess
    expect(draft.toTransition().observations.mttiSeconds).toBe(20);
  });
});

/** `isolate-2` (no dependencies) succeeded; the snapshot is in flight, so isolate and seal are pending. */
function earlyContainment() {
  const withEarly = {
    ...plan,
    steps: [...plan.steps, { ...plan.steps[2]!, stepId: 'isolate-2', after: [] }],
  };
  const open = committed(openIncident(opened(), () => withEarly, context()));
  return committed(
    stepSucceeded(open, succeeded('isolate-2', 'contain.ec2-instance', { n: 2 }), context()),
    2,
  );
}

/**
 * An incident with two containments, `isolate-2` succeeded (pre-state `{ n: 2 }`) and `isolate` still
 * in flight, the snapshot done.
 */
function oneOfTwoContainmentsSucceeded() {
  return committed(
    stepSucceeded(earlyContainment(), succeeded('snapshot', 'evidence.snapshot-volumes'), context()),
    3,
  );
}

/**
 * An incident with two succeeded containments, `isolate-2` completing first and `isolate` later
 * (pre-states `{ n: 2 }` and `{ n: 1 }`), the snapshot done: what a rollback starts from.
 */
function twoContainmentsSucceeded() {
  const snap = oneOfTwoContainmentsSucceeded();
  const later = succeeded('isolate', 'contain.ec2-instance', { n: 1 });
  const laterMessage = { ...later, payload: { ...later.payload, completedAt: '2024-05-02T14:00:30.000Z' } };
  return committed(stepSucceeded(snap, laterMessage, context()), 4);
}

describe('rollbackRequested again (retry of a stalled rollback)', () => {
  const request = (sentAt?: string) => rollbackRequest(operators.rita, sentAt);
  const rollbackFailed = (stepId: string) =>
    buildMessage('step.failed', {
      incidentId: 'inc-1',
      correlationId: 'corr-1',
      causationId: null,
      producer: 'isolator',
      dryRun: false,
      payload: {
        stepId,
        action: 'rollback.ec2-instance',
        reason: 'an operator must run: aws ec2 …',
        errorName: 'OperatorActionRequiredError',
        retryable: false,
        detail: { operatorCommands: ['aws ec2 …'] },
        failedAt: '2024-05-02T14:01:00.000Z',
      },
    });
  const rollbackSucceeded = (stepId: string) => {
    const message = succeeded(stepId, 'rollback.ec2-instance');
    return { ...message, payload: { ...message.payload, action: 'rollback.ec2-instance' as const } };
  };

  /** Two containments rolled back newest first; the first rollback failed, the second waits behind it. */
  function stalled() {
    const both = twoContainmentsSucceeded();
    const requested = committed(rollbackRequested(both, request(), context({ eventKey: 'rb-1' })), 5);
    const rolling = approvedBy(requested, 'rollback:isolate', operators.bob);
    return committed(
      stepFailed(rolling, rollbackFailed('rollback:isolate'), context({ eventKey: 'f-1' })),
      7,
    );
  }

  it('runs the failed rollback and the one waiting behind it again, as new steps, and keeps the failure', () => {
    // Prepare
    const failedOnce = stalled();
    const retryContext = context({ now: new Date('2024-05-02T14:05:00.000Z'), eventKey: 'rb-2' });
    // Act
    const draft = rollbackRequested(failedOnce, request(), retryContext);
    const released = approvalGranted(
      committed(draft, 8),
      approval('rollback:isolate-2:retry-1', operators.alice),
      context({ eventKey: 'approve-retry' }),
    );
    // Assess
    expect(failedOnce.incident.status).toBe('needs-attention');
    expect(draft.incident.status).toBe('rolling-back');
    expect(draft.step('rollback:isolate')?.status).toBe('failed');
    expect(draft.step('rollback:isolate-2')).toMatchObject({
      status: 'skipped',
      skipReason: 'replaced: rollback retried by Rita Responder',
    });
    expect(draft.step('rollback:isolate:retry-1')).toMatchObject({
      status: 'awaiting-approval',
      holdReasons: ['two-person-rule'],
      requestedBy: { by: 'Rita Responder', actor: operators.rita },
      rollbackOf: 'isolate',
      params: { originalStepId: 'isolate', preState: { n: 1 } },
    });
    expect(draft.recorded.map((entry) => entry.kind)).toContain('rollback-retried');
    expect(released.step('rollback:isolate:retry-1')).toMatchObject({
      status: 'dispatched',
      approvedBy: 'Alice Approver',
      approvedByActor: operators.alice,
    });
    expect(released.step('rollback:isolate-2:retry-1')).toMatchObject({
      status: 'pending',
      approvedBy: 'Alice Approver',
      after: ['rollback:isolate:retry-1'],
    });
  });

  it('dispatches the retry of a single failed rollback at once, not after the attempt it replaces', () => {
    // Prepare: one containment; its rollback failed.
    const open = committed(openIncident(opened(), planner, context()));
    const snap = committed(
      stepSucceeded(open, succeeded('snapshot', 'evidence.snapshot-volumes'), context()),
      2,
    );
    const contained = committed(
      stepSucceeded(snap, succeeded('isolate', 'contain.ec2-instance', { n: 1 }), context()),
      3,
    );
    const requested = committed(rollbackRequested(contained, request(), context({ eventKey: 'rb-1' })), 4);
    const rolling = approvedBy(requested, 'rollback:isolate', operators.bob);
    const failedOnce = committed(
      stepFailed(rolling, rollbackFailed('rollback:isolate'), context({ eventKey: 'f-1' })),
      6,
    );
    const retried = committed(
      rollbackRequested(
        failedOnce,
        request(),
        context({ now: new Date('2024-05-02T14:05:00.000Z'), eventKey: 'rb-2' }),
      ),
      7,
    );
    // Act
    const draft = approvalGranted(
      retried,
      approval('rollback:isolate:retry-1', operators.bob),
      context({ eventKey: 'approve-retry' }),
    );
    // Assess
    expect(draft.step('rollback:isolate:retry-1')).toMatchObject({ status: 'dispatched', after: [] });
    expect(draft.outbox.map((entry) => JSON.parse(entry.body).type)).toContain('rollback.ec2-instance');
  });

  it('changes nothing while the retry is in flight, nor for a request older than the stalled dispatch', () => {
    // Prepare
    const failedOnce = stalled();
    const retried = committed(
      rollbackRequested(failedOnce, request(), context({ now: new Date('2024-05-02T14:05:00.000Z') })),
      7,
    );
    // Act
    const duplicate = rollbackRequested(retried, request(), context({ eventKey: 'rb-3' }));
    const stale = rollbackRequested(failedOnce, request('2024-05-02T14:00:05.000Z'), context());
    // Assess
    expect(duplicate.isEmpty).toBe(true);
    expect(stale.isEmpty).toBe(true);
  });

  it('ends rolled-back once every retried rollback succeeded, the failed attempt notwithstanding', () => {
    // Prepare
    const held = committed(
      rollbackRequested(stalled(), request(), context({ now: new Date('2024-05-02T14:05:00.000Z') })),
      8,
    );
    const retried = approvedBy(held, 'rollback:isolate:retry-1', operators.bob);
    // Act
    const first = committed(
      stepSucceeded(retried, rollbackSucceeded('rollback:isolate:retry-1'), context({ eventKey: 's-1' })),
      10,
    );
    const draft = stepSucceeded(
      first,
      rollbackSucceeded('rollback:isolate-2:retry-1'),
      context({ eventKey: 's-2' }),
    );
    // Assess
    expect(first.incident.status).toBe('rolling-back');
    expect(draft.incident.status).toBe('rolled-back');
    expect(draft.step('isolate')?.status).toBe('rolled-back');
    expect(draft.step('isolate-2')?.status).toBe('rolled-back');
    expect(draft.step('rollback:isolate')?.status).toBe('failed');
  });
});

describe('escalateOverdueSteps', () => {
  it('times out a silent step and escalates, and escalates an overdue approval without approving it', () => {
    // Prepare
    const open = committed(openIncident(opened(), planner, context({ blastAvailable: 0 })));
    const held = committed(
      stepSucceeded(open, succeeded('snapshot', 'evidence.snapshot-volumes'), context({ blastAvailable: 0 })),
      2,
    );
    // Act
    const draft = escalateOverdueSteps(
      held,
      context({ now: new Date('2024-05-02T15:00:00.000Z'), eventKey: 'tick' }),
    );
    // Assess
    expect(draft.step('notify')?.status).toBe('timed-out');
    expect(draft.step('isolate')).toMatchObject({ status: 'awaiting-approval', escalations: 1 });
    expect(draft.step('notify:approval-overdue:isolate:1')?.params).toMatchObject({
      details: { page: true },
    });
    expect(draft.incident.status).toBe('needs-attention');
  });
});

describe('rollbackRequested', () => {
  it('holds every rollback step for a second person, and one approval releases the chain newest first', () => {
    // Prepare: two containments, the second completing later.
    const both = twoContainmentsSucceeded();
    // Act
    const draft = rollbackRequested(both, rollbackRequest(operators.rita), context());
    const released = approvalGranted(
      committed(draft, 5),
      approval('rollback:isolate-2', operators.bob),
      context({ eventKey: 'approve' }),
    );
    // Assess
    expect(draft.incident).toMatchObject({
      status: 'rolling-back',
      rollbackRequestedBy: 'Rita Responder',
      rollbackRequestedByActor: operators.rita,
    });
    for (const stepId of ['rollback:isolate', 'rollback:isolate-2']) {
      expect(draft.step(stepId)).toMatchObject({
        status: 'awaiting-approval',
        holdReasons: ['two-person-rule'],
        requestedBy: { by: 'Rita Responder', actor: operators.rita },
      });
    }
    expect(draft.outbox.map((entry) => JSON.parse(entry.body).type)).not.toContain('rollback.ec2-instance');
    expect(draft.step('notify:approval-needed:rollback:isolate')?.params).toMatchObject({
      stage: 'approval-needed',
      summary: expect.stringContaining('a second, different approver is needed'),
    });
    expect(released.step('rollback:isolate')).toMatchObject({
      status: 'dispatched',
      approvedBy: 'Bob Approver',
      params: { originalStepId: 'isolate', preState: { n: 1 } },
    });
    expect(released.step('rollback:isolate-2')).toMatchObject({
      status: 'pending',
      after: ['rollback:isolate'],
      params: { preState: { n: 2 } },
    });
    const approvedEntry = released.recorded.find(
      (entry) => entry.kind === 'step-approved' && entry.stepId === 'rollback:isolate',
    );
    expect(approvedEntry?.detail).toMatchObject({
      actor: operators.bob,
      requestedBy: { actor: operators.rita },
    });
  });
});

describe('two-person rule', () => {
  /** The plan's isolate step held: the resource is protected, so two people must approve. */
  function protectedHeld() {
    const open = committed(openIncident(opened({ tags: { 'ir:protected': 'true' } }), planner, context()));
    return committed(stepSucceeded(open, succeeded('snapshot', 'evidence.snapshot-volumes'), context()), 2);
  }

  it('records a first approval of a protected resource and waits; the same person again is refused; another releases it', () => {
    // Prepare
    const held = protectedHeld();
    // Act
    const first = approvedBy(held, 'isolate', operators.alice, 'a-1');
    const again = approvalGranted(first, approval('isolate', operators.alice), context({ eventKey: 'a-2' }));
    const second = approvalGranted(first, approval('isolate', operators.bob), context({ eventKey: 'b-1' }));
    // Assess
    expect(held.steps.find((s) => s.stepId === 'isolate')).toMatchObject({
      status: 'awaiting-approval',
      approvalsRequired: 2,
      holdReasons: ['protected-resource'],
    });
    expect(first.steps.find((s) => s.stepId === 'isolate')).toMatchObject({
      status: 'awaiting-approval',
      approvals: [{ by: 'Alice Approver', actor: operators.alice }],
    });
    expect(first.steps.find((s) => s.stepId === 'notify:second-approval-needed:isolate')).toBeDefined();
    expect(again.step('isolate')).toEqual(first.steps.find((s) => s.stepId === 'isolate'));
    expect(again.recorded.map((entry) => [entry.kind, entry.detail?.reason])).toEqual([
      ['approval-refused', expect.stringContaining('already approved this step')],
    ]);
    expect(again.outbox).toEqual([]);
    expect(second.step('isolate')).toMatchObject({
      status: 'dispatched',
      approvedBy: 'Bob Approver',
      approvedByActor: operators.bob,
      approvals: [{ actor: operators.alice }, { actor: operators.bob }],
    });
    expect(second.recorded.find((entry) => entry.kind === 'step-approved')?.detail).toMatchObject({
      actor: operators.bob,
      requestedBy: { by: 'Alice Approver', actor: operators.alice },
    });
  });

  it('treats the same subject of another issuer as another person, and refuses an approval with no identity', () => {
    // Prepare
    const first = approvedBy(protectedHeld(), 'isolate', operators.alice, 'a-1');
    const sameSubjectOtherIssuer = { ...operators.alice, issuer: 'https://other-idp.example.test' };
    // Act
    const anonymous = approvalGranted(first, approval('isolate', undefined), context({ eventKey: 'x' }));
    const other = approvalGranted(
      first,
      approval('isolate', sameSubjectOtherIssuer),
      context({ eventKey: 'y' }),
    );
    // Assess
    expect(anonymous.step('isolate')?.status).toBe('awaiting-approval');
    expect(anonymous.recorded[0]).toMatchObject({
      kind: 'approval-refused',
      detail: { reason: expect.stringContaining('no verified identity') },
    });
    expect(other.step('isolate')?.status).toBe('dispatched');
  });

  it('asks two approvers for a step whose playbook says approvers: 2, and one for an ordinary approval', () => {
    // Prepare
    const twoApprovers = {
      ...plan,
      steps: plan.steps.map((step) =>
        step.stepId === 'isolate' ? { ...step, approval: 'required' as const, approvers: 2 as const } : step,
      ),
    };
    const oneApprover = {
      ...plan,
      steps: plan.steps.map((step) =>
        step.stepId === 'isolate' ? { ...step, approval: 'required' as const } : step,
      ),
    };
    const heldWith = (p: typeof plan) => {
      const open = committed(openIncident(opened(), () => p, context()));
      return committed(stepSucceeded(open, succeeded('snapshot', 'evidence.snapshot-volumes'), context()), 2);
    };
    // Act
    const two = approvedBy(heldWith(twoApprovers), 'isolate', operators.alice);
    const one = approvedBy(heldWith(oneApprover), 'isolate', operators.alice);
    // Assess
    expect(two.steps.find((s) => s.stepId === 'isolate')).toMatchObject({
      status: 'awaiting-approval',
      approvalsRequired: 2,
    });
    expect(one.steps.find((s) => s.stepId === 'isolate')).toMatchObject({
      status: 'dispatched',
      approvalsRequired: 1,
      approvedByActor: operators.alice,
    });
  });

  it('refuses the rollback requester’s own approval, and the playbook steps wait behind the request', () => {
    // Prepare: isolate-2 succeeded; the snapshot is in flight, so isolate and seal are still pending.
    const contained = earlyContainment();
    const requested = committed(rollbackRequested(contained, rollbackRequest(operators.alice), context()), 3);
    // Act
    const own = approvalGranted(
      requested,
      approval('rollback:isolate-2', operators.alice),
      context({ eventKey: 'own' }),
    );
    const other = approvalGranted(
      requested,
      approval('rollback:isolate-2', operators.bob),
      context({ eventKey: 'other' }),
    );
    // Assess
    expect(requested.steps.find((s) => s.stepId === 'seal')?.status).toBe('pending');
    expect(own.step('rollback:isolate-2')?.status).toBe('awaiting-approval');
    expect(own.recorded.map((entry) => [entry.kind, entry.detail?.reason])).toEqual([
      ['approval-refused', expect.stringContaining('requested this and may not approve it')],
    ]);
    expect(other.step('rollback:isolate-2')?.status).toBe('dispatched');
    expect(other.step('isolate')?.status).toBe('skipped');
    expect(other.step('seal')).toMatchObject({
      status: 'skipped',
      skipReason: 'rollback requested by Alice Approver, approved by Bob Approver',
    });
  });

  it('withdraws a rejected rollback: the incident goes back to open, its waiting steps go on, and it can be asked again', () => {
    // Prepare
    const contained = earlyContainment();
    const requested = committed(rollbackRequested(contained, rollbackRequest(operators.rita), context()), 3);
    // Act
    const rejected = approvalRejected(
      requested,
      approval('rollback:isolate-2', operators.bob, 'approval.rejected'),
      context({ eventKey: 'reject' }),
    );
    const again = rollbackRequested(
      committed(rejected, 4),
      rollbackRequest(operators.rita),
      context({ eventKey: 'rb-2' }),
    );
    // Assess
    expect(rejected.step('rollback:isolate-2')).toMatchObject({
      status: 'skipped',
      rejectedBy: 'Bob Approver',
      rejectedByActor: operators.bob,
    });
    expect(rejected.incident.status).toBe('open');
    expect(rejected.incident.rollbackRequestedAt).toBeUndefined();
    // The snapshot is still in flight, so isolate and seal wait for it, no longer for the rollback.
    expect(rejected.step('seal')?.status).toBe('pending');
    expect(rejected.step('isolate')?.status).toBe('pending');
    expect(rejected.recorded.find((entry) => entry.kind === 'rollback-rejected')?.detail).toMatchObject({
      withdrawn: true,
      actor: operators.bob,
    });
    expect(again.step('rollback:isolate-2:retry-1')).toMatchObject({
      status: 'awaiting-approval',
      holdReasons: ['two-person-rule'],
    });
  });

  it('adds the rollback of a containment that finished after the request to the waiting batch', () => {
    // Prepare: isolate in flight when the rollback of isolate-2 is requested.
    const snap = oneOfTwoContainmentsSucceeded();
    const requested = committed(rollbackRequested(snap, rollbackRequest(operators.rita), context()), 4);
    // Act
    const late = committed(
      stepSucceeded(
        requested,
        succeeded('isolate', 'contain.ec2-instance', { n: 1 }),
        context({ eventKey: 'late' }),
      ),
      5,
    );
    const released = approvalGranted(
      late,
      approval('rollback:isolate-2', operators.bob),
      context({ eventKey: 'ok' }),
    );
    // Assess
    expect(late.steps.find((s) => s.stepId === 'rollback:isolate')).toMatchObject({
      status: 'awaiting-approval',
      requestedBy: { actor: operators.rita },
    });
    expect(late.steps.some((s) => s.stepId === 'notify:approval-needed:rollback:isolate')).toBe(false);
    expect(released.step('rollback:isolate-2')?.status).toBe('dispatched');
    expect(released.step('rollback:isolate')).toMatchObject({
      status: 'pending',
      approvedBy: 'Bob Approver',
    });
  });

  it('escalates an overdue rollback batch once per sweep, naming who asked', () => {
    // Prepare
    const requested = committed(
      rollbackRequested(twoContainmentsSucceeded(), rollbackRequest(operators.rita), context()),
      5,
    );
    // Act
    const draft = escalateOverdueSteps(
      requested,
      context({ now: new Date('2024-05-02T15:00:00.000Z'), eventKey: 'tick' }),
    );
    // Assess
    expect(draft.step('rollback:isolate')).toMatchObject({ status: 'awaiting-approval', escalations: 1 });
    expect(draft.step('rollback:isolate-2')).toMatchObject({ status: 'awaiting-approval', escalations: 1 });
    const notices = draft.steps.filter((s) => s.stepId.startsWith('notify:approval-overdue:'));
    expect(notices.map((s) => s.params.summary)).toEqual([
      expect.stringMatching(
        /rollback requested by Rita Responder still waits.*approver other than Rita Responder/,
      ),
    ]);
  });
});
