import { buildMessage } from '@ir/contracts';
import { describe, expect, it } from 'vitest';
import { UnknownStepError } from '../../src/errors.js';
import { openIncident } from '../../src/state/open.js';
import { rollbackRequested } from '../../src/state/operator.js';
import { stepFailed, stepSucceeded } from '../../src/state/results.js';
import { escalateOverdueSteps } from '../../src/state/escalate-overdue-steps.js';
import { committed, context, opened, plan, succeeded } from './fixtures.js';

const planner = () => plan;
const statuses = (steps: readonly { stepId: string; status: string }[]) =>
  Object.fromEntries(steps.map((step) => [step.stepId, step.status]));

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

/**
 * An incident with two succeeded containments, `isolate-2` completing first and `isolate` later
 * (pre-states `{ n: 2 }` and `{ n: 1 }`), the snapshot done: what a rollback starts from.
 */
function twoContainmentsSucceeded() {
  const twoContainments = {
    ...plan,
    steps: [...plan.steps, { ...plan.steps[2]!, stepId: 'isolate-2', after: [] }],
  };
  const open = committed(openIncident(opened(), () => twoContainments, context()));
  const one = committed(
    stepSucceeded(open, succeeded('isolate-2', 'contain.ec2-instance', { n: 2 }), context()),
    2,
  );
  const snap = committed(
    stepSucceeded(one, succeeded('snapshot', 'evidence.snapshot-volumes'), context()),
    3,
  );
  const later = succeeded('isolate', 'contain.ec2-instance', { n: 1 });
  const laterMessage = { ...later, payload: { ...later.payload, completedAt: '2024-05-02T14:00:30.000Z' } };
  return committed(stepSucceeded(snap, laterMessage, context()), 4);
}

describe('rollbackRequested again (retry of a stalled rollback)', () => {
  const request = (sentAt?: string) =>
    buildMessage(
      'rollback.requested',
      {
        incidentId: 'inc-1',
        correlationId: 'corr-1',
        causationId: null,
        producer: 'api',
        dryRun: false,
        payload: { by: 'lead', reason: 'rules restored by hand' },
      },
      sentAt ? { now: () => new Date(sentAt) } : {},
    );
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
    const rolling = committed(rollbackRequested(both, request(), context({ eventKey: 'rb-1' })), 5);
    return committed(
      stepFailed(rolling, rollbackFailed('rollback:isolate'), context({ eventKey: 'f-1' })),
      6,
    );
  }

  it('runs the failed rollback and the one waiting behind it again, as new steps, and keeps the failure', () => {
    // Prepare
    const failedOnce = stalled();
    const retryContext = context({ now: new Date('2024-05-02T14:05:00.000Z'), eventKey: 'rb-2' });
    // Act
    const draft = rollbackRequested(failedOnce, request(), retryContext);
    // Assess
    expect(failedOnce.incident.status).toBe('needs-attention');
    expect(draft.incident.status).toBe('rolling-back');
    expect(draft.step('rollback:isolate')?.status).toBe('failed');
    expect(draft.step('rollback:isolate-2')).toMatchObject({
      status: 'skipped',
      skipReason: 'replaced: rollback retried by lead',
    });
    expect(draft.step('rollback:isolate:retry-1')).toMatchObject({
      status: 'dispatched',
      rollbackOf: 'isolate',
      params: { originalStepId: 'isolate', preState: { n: 1 } },
    });
    expect(draft.step('rollback:isolate-2:retry-1')).toMatchObject({
      status: 'pending',
      after: ['rollback:isolate:retry-1'],
    });
    expect(draft.recorded.map((entry) => entry.kind)).toContain('rollback-retried');
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
    const rolling = committed(rollbackRequested(contained, request(), context({ eventKey: 'rb-1' })), 4);
    const failedOnce = committed(
      stepFailed(rolling, rollbackFailed('rollback:isolate'), context({ eventKey: 'f-1' })),
      5,
    );
    // Act
    const draft = rollbackRequested(
      failedOnce,
      request(),
      context({ now: new Date('2024-05-02T14:05:00.000Z'), eventKey: 'rb-2' }),
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
    const retried = committed(
      rollbackRequested(stalled(), request(), context({ now: new Date('2024-05-02T14:05:00.000Z') })),
      7,
    );
    // Act
    const first = committed(
      stepSucceeded(retried, rollbackSucceeded('rollback:isolate:retry-1'), context({ eventKey: 's-1' })),
      8,
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
  it('chains the rollbacks newest first with each recorded pre-state', () => {
    // Prepare: two containments, the second completing later.
    const both = twoContainmentsSucceeded();
    const request = buildMessage('rollback.requested', {
      incidentId: 'inc-1',
      correlationId: 'corr-1',
      causationId: null,
      producer: 'api',
      dryRun: false,
      payload: { by: 'lead' },
    });
    // Act
    const draft = rollbackRequested(both, request, context());
    // Assess
    expect(draft.incident.status).toBe('rolling-back');
    expect(draft.step('rollback:isolate')).toMatchObject({
      status: 'dispatched',
      params: { originalStepId: 'isolate', preState: { n: 1 } },
    });
    expect(draft.step('rollback:isolate-2')).toMatchObject({
      status: 'pending',
      after: ['rollback:isolate'],
      params: { preState: { n: 2 } },
    });
  });
});
