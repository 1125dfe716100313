import { buildMessage, type Disposition, guardDutyProductArn, type MessageOf } from '@ir/contracts';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { escalateOverdueSteps } from '../../src/state/escalate-overdue-steps.js';
import type { DecisionContext, FindingSyncSettings } from '../../src/state/draft.js';
import { Draft } from '../../src/state/draft.js';
import { addFindingSyncStep } from '../../src/state/finding-sync.js';
import { openIncident } from '../../src/state/open.js';
import { resolveRequested } from '../../src/state/operator.js';
import { stepFailed, stepSucceeded } from '../../src/state/results.js';
import { committed, context, opened, plan, succeeded, testFinding } from './fixtures.js';

const GD_ARN =
  'arn:aws:guardduty:eu-west-1:111122223333:detector/12abc34d567e8fa901bc2d34e56789f0/finding/f-1';

/** The coordinator's context with the finding sync on (`IR_FINDING_SYNC=on`). */
const syncing = (sync: Partial<FindingSyncSettings> = {}, overrides: Partial<DecisionContext> = {}) => {
  const base = context(overrides);
  return {
    ...base,
    settings: { ...base.settings, findingSync: { archiveGuardDutyFalsePositives: false, ...sync } },
  };
};

/** `incident.opened` for a GuardDuty finding that knows where its workflow lives, as the parser sets it. */
function openedGuardDuty(): MessageOf<'incident.opened'> {
  const message = opened();
  return {
    ...message,
    payload: {
      ...message.payload,
      finding: {
        ...testFinding(),
        workflow: {
          guardDutyFindingId: 'f-1',
          securityHub: { api: 'v1', productArn: guardDutyProductArn('eu-west-1'), id: GD_ARN },
        },
      },
    },
  };
}

function syncFailed(stepId: string) {
  return buildMessage('step.failed', {
    incidentId: 'inc-1',
    correlationId: 'corr-1',
    causationId: null,
    producer: 'notifier',
    dryRun: false,
    payload: {
      stepId,
      action: 'notify.finding-workflow',
      reason: `Could not mark 1 finding change(s) as NOTIFIED: Security Hub finding ${GD_ARN}: AccessDeniedException`,
      errorName: 'FindingSyncFailed',
      retryable: false,
      failedAt: '2024-05-02T14:00:20.000Z',
    },
  });
}

function resolveAs(disposition: Disposition) {
  return buildMessage('incident.resolve-requested', {
    incidentId: 'inc-1',
    correlationId: 'corr-1',
    causationId: null,
    producer: 'api',
    dryRun: false,
    payload: { by: 'alice', reason: 'checked', disposition, category: 'malware' },
  });
}

describe('finding sync steps (state/finding-sync.ts)', () => {
  it('adds finding-sync:opened with no dependency either way, dispatched at once beside the plan', () => {
    // Act
    const draft = openIncident(openedGuardDuty(), () => plan, syncing());
    // Assess
    const sync = draft.step('finding-sync:opened');
    expect(sync).toMatchObject({
      action: 'notify.finding-workflow',
      queue: 'notifier',
      after: [],
      containment: false,
      origin: 'coordinator',
      status: 'dispatched',
    });
    expect(draft.steps.filter((step) => step.after.includes('finding-sync:opened'))).toEqual([]);
    expect(draft.step('isolate')?.after).toEqual(['snapshot']);
    expect(sync?.params).toMatchObject({
      phase: 'opened',
      workflowStatus: 'NOTIFIED',
      archiveGuardDuty: false,
      findings: [
        {
          source: 'guardduty',
          id: 'f-1',
          accountId: '111122223333',
          region: 'eu-west-1',
          guardDutyFindingId: 'f-1',
          securityHub: { api: 'v1', id: GD_ARN },
        },
      ],
    });
    expect(String(sync?.params.note)).toContain('inc-1');
    expect(draft.outbox.some((entry) => entry.body.includes('"notify.finding-workflow"'))).toBe(true);
    // The finding reference keeps the workflow for the resolve, when only the record is loaded.
    expect(draft.incident.findings[0]?.workflow?.securityHub).toEqual({
      api: 'v1',
      productArn: guardDutyProductArn('eu-west-1'),
      id: GD_ARN,
    });
  });

  it('adds nothing when IR_FINDING_SYNC is off, or when no finding has a workflow to mark', () => {
    // Act
    const off = openIncident(openedGuardDuty(), () => plan, context());
    const nothingToMark = openIncident(opened(), () => plan, syncing());
    // Assess
    expect(off.step('finding-sync:opened')).toBeUndefined();
    expect(nothingToMark.step('finding-sync:opened')).toBeUndefined();
  });

  it('records a failed sync on the timeline and in the step outcomes, and leaves the incident status alone', () => {
    // Prepare
    const open = committed(openIncident(openedGuardDuty(), () => plan, syncing()));
    // Act
    const draft = stepFailed(open, syncFailed('finding-sync:opened'), syncing());
    // Assess
    expect(draft.incident.status).toBe('open');
    expect(draft.step('finding-sync:opened')?.status).toBe('failed');
    expect(draft.recorded.map((entry) => entry.kind)).toContain('step-failed');
    expect(draft.observations.stepOutcomes).toEqual([
      { action: 'notify.finding-workflow', outcome: 'failed' },
    ]);
    // No "step failed" notification: the sync pages nobody.
    expect(draft.steps.some((step) => step.stepId.startsWith('notify:step-failed'))).toBe(false);
    expect(draft.step('isolate')?.status).toBe('pending');
  });

  it('does not keep the incident from completing when it failed', () => {
    // Prepare
    let aggregate = committed(openIncident(openedGuardDuty(), () => plan, syncing()));
    aggregate = committed(stepFailed(aggregate, syncFailed('finding-sync:opened'), syncing()));
    // Act
    for (const [stepId, action] of [
      ['snapshot', 'evidence.snapshot-volumes'],
      ['notify', 'notify.incident'],
      ['isolate', 'contain.ec2-instance'],
      ['seal', 'evidence.seal'],
    ] as const) {
      aggregate = committed(stepSucceeded(aggregate, succeeded(stepId, action), syncing()));
    }
    // Assess
    expect(aggregate.incident.status).toBe('completed');
  });

  it('lets a sync that timed out neither put the incident in needs-attention nor keep it from completing', () => {
    // Prepare: a plan of one notification, which succeeds; the sync never answers.
    const onlyNotify = { ...plan, steps: plan.steps.filter((step) => step.stepId === 'notify') };
    const open = committed(openIncident(openedGuardDuty(), () => onlyNotify, syncing()));
    const notified = committed(stepSucceeded(open, succeeded('notify', 'notify.incident'), syncing()));
    // Act
    const swept = escalateOverdueSteps(notified, syncing({}, { now: new Date('2024-05-02T15:00:00.000Z') }));
    // Assess
    expect(notified.incident.status).toBe('open');
    expect(swept.step('finding-sync:opened')?.status).toBe('timed-out');
    expect(swept.recorded.map((entry) => entry.kind)).toContain('step-timed-out');
    expect(swept.incident.status).toBe('completed');
    expect(swept.steps.some((step) => step.stepId.startsWith('notify:step-timed-out'))).toBe(false);
  });

  it.each([
    ['true-positive', 'RESOLVED', false],
    ['duplicate', 'RESOLVED', false],
    ['benign-true-positive', 'SUPPRESSED', false],
    ['false-positive', 'SUPPRESSED', true],
  ] as const)(
    'on resolve as %s sets %s (archive in GuardDuty: %s, when configured)',
    (disposition, status, archive) => {
      // Prepare
      const settings = syncing({ archiveGuardDutyFalsePositives: true });
      const open = committed(openIncident(openedGuardDuty(), () => plan, settings));
      // Act: the resolve adds the step itself; adding it again (a replayed event) adds nothing.
      const resolved = resolveRequested(open, resolveAs(disposition), settings);
      const draft = new Draft(committed(resolved, 2), settings);
      const again = addFindingSyncStep(draft, 'resolved');
      // Assess
      expect(again).toBe(false);
      const params = draft.step('finding-sync:resolved')?.params;
      expect(params).toMatchObject({ phase: 'resolved', workflowStatus: status, archiveGuardDuty: archive });
      expect(String(params?.note)).toContain(disposition === 'duplicate' ? 'a duplicate' : disposition);
      expect(String(params?.note).length).toBeLessThanOrEqual(512);
    },
  );
});

describe('loadConfig (IR_FINDING_SYNC, IR_GUARDDUTY_ARCHIVE_FALSE_POSITIVES, IR_CONSOLE_PUBLIC_URL)', () => {
  const dev = {
    IR_ENV: 'development',
    IR_AUTH_MODE: 'static-token',
    IR_API_TOKEN: 'a-token-of-sixteen-chars',
  };

  it('is off by default, and refuses archiving without the sync, naming both variables', () => {
    // Act
    const defaults = loadConfig(dev);
    const on = loadConfig({
      ...dev,
      IR_FINDING_SYNC: 'on',
      IR_GUARDDUTY_ARCHIVE_FALSE_POSITIVES: 'true',
      IR_CONSOLE_PUBLIC_URL: 'https://ir.example.com/ignored/path',
    });
    // Assess
    expect(defaults.IR_FINDING_SYNC).toBe('off');
    expect(defaults.IR_GUARDDUTY_ARCHIVE_FALSE_POSITIVES).toBe(false);
    expect(on.IR_CONSOLE_PUBLIC_URL).toBe('https://ir.example.com');
    expect(() => loadConfig({ ...dev, IR_GUARDDUTY_ARCHIVE_FALSE_POSITIVES: 'true' })).toThrow(
      /IR_GUARDDUTY_ARCHIVE_FALSE_POSITIVES=true needs IR_FINDING_SYNC=on/,
    );
    expect(() => loadConfig({ ...dev, IR_FINDING_SYNC: 'yes' })).toThrow(/IR_FINDING_SYNC/);
  });

  it('links the incident on the console when its public address is known', () => {
    // Act
    const draft = openIncident(
      openedGuardDuty(),
      () => plan,
      syncing({ consoleUrl: 'https://ir.example.com' }),
    );
    // Assess
    expect(String(draft.step('finding-sync:opened')?.params.note)).toContain(
      'https://ir.example.com/console/incidents/inc-1',
    );
  });
});
