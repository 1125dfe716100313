import { buildMessage } from '@ir/contracts';
import { IncidentReport } from '@ir/contracts';
import { describe, expect, it } from 'vitest';
import { REPORT_STEP_ID } from '../../../src/report/report-step.js';
import { openIncident } from '../../../src/state/open.js';
import { resolveRequested } from '../../../src/state/operator.js';
import { stepSucceeded } from '../../../src/state/results.js';
import { committed, context, opened, plan, succeeded } from '../fixtures.js';

const planner = () => plan;

const resolve = (by = 'dave') =>
  buildMessage('incident.resolve-requested', {
    incidentId: 'inc-1',
    correlationId: 'corr-1',
    causationId: null,
    producer: 'api',
    dryRun: false,
    payload: { by, reason: 'false positive ruled out', disposition: 'true-positive', category: 'malware' },
  });

/** An incident whose snapshot, isolation and seal succeeded. */
function completedIncident() {
  let aggregate = committed(openIncident(opened(), planner, context()));
  const results = [
    succeeded('snapshot', 'evidence.snapshot-volumes'),
    succeeded('isolate', 'contain.ec2-instance', { enis: [] }),
    succeeded('seal', 'evidence.seal'),
  ];
  results.forEach((message, index) => {
    aggregate = committed(stepSucceeded(aggregate, message, context({ eventKey: `r-${index}` })), index + 2);
  });
  return aggregate;
}

describe('resolveRequested: the report step', () => {
  it('sends the report of every step to the forensics queue, once', () => {
    // Prepare
    const aggregate = completedIncident();
    const timeline = [{ at: '2024-05-02T14:00:01.000Z', entryId: 'e-1', kind: 'incident-opened' }];

    // Act
    const draft = resolveRequested(aggregate, resolve(), context({ eventKey: 'resolve', timeline }));
    const again = resolveRequested(committed(draft, 9), resolve('erin'), context({ eventKey: 'resolve-2' }));

    // Assess
    const step = draft.step(REPORT_STEP_ID);
    expect(step).toMatchObject({
      action: 'evidence.store-report',
      queue: 'forensics',
      status: 'dispatched',
      origin: 'coordinator',
    });
    const command = draft.outbox.find((entry) => entry.queue === 'forensics');
    const body = JSON.parse(command?.body ?? '{}') as {
      type: string;
      payload: { params: { report: unknown } };
    };
    expect(body.type).toBe('evidence.store-report');
    const report = IncidentReport.parse(body.payload.params.report);
    expect(report.steps.map((s) => s.stepId)).toEqual([
      ...aggregate.steps.map((s) => s.stepId),
      'notify:resolved',
    ]);
    expect(report.incident).toMatchObject({ status: 'resolved', resolvedBy: 'dave' });
    const kinds = report.timeline.map((t) => t.kind);
    expect(kinds[0]).toBe('incident-opened');
    expect(kinds).toContain('incident-resolved');
    expect(report.metrics.timeToIsolateSeconds).toBe(20);
    expect(again.isEmpty).toBe(true);
  });

  it('tells people once the report is stored, with MTTI, MTTE and the keys, not the report', () => {
    // Prepare
    const resolved = committed(
      resolveRequested(completedIncident(), resolve(), context({ eventKey: 'resolve' })),
      9,
    );
    const stored = buildMessage('step.succeeded', {
      incidentId: 'inc-1',
      correlationId: 'corr-1',
      causationId: null,
      producer: 'forensics',
      dryRun: false,
      payload: {
        stepId: REPORT_STEP_ID,
        action: 'evidence.store-report',
        completedAt: '2024-05-02T14:05:00.000Z',
        result: {
          summary: 'HIGH incident handled',
          mttiSeconds: 20,
          mtteSeconds: 20,
          verification: { status: 'verified', ok: true, problems: 0 },
          report: { json: { key: 'incidents/inc-1/report-resolve/report.json', sha256: 'a'.repeat(64) } },
          manifest: { key: 'incidents/inc-1/manifests/000002-report-resolve.json' },
        },
      },
    });

    // Act
    const draft = stepSucceeded(resolved, stored, context({ eventKey: 'stored' }));

    // Assess
    expect(draft.step(REPORT_STEP_ID)?.status).toBe('succeeded');
    const notify = draft.step('notify:reported');
    expect(notify).toMatchObject({ status: 'dispatched', params: { stage: 'reported' } });
    expect(notify?.params.summary).toBe('Incident report stored (evidence verified): HIGH incident handled');
    expect(notify?.params.details).toMatchObject({
      mttiSeconds: 20,
      mtteSeconds: 20,
      report: { json: { key: 'incidents/inc-1/report-resolve/report.json' } },
    });
    expect(JSON.stringify(notify?.params)).not.toContain('"steps"');
  });

  it('marks a settled incident with the earliest deadline of its steps in flight, so the sweep finds it', () => {
    // Prepare: the transition that completed the incident (nothing in flight), and one still open
    let aggregate = committed(openIncident(opened(), planner, context()));
    const opening = openIncident(opened(), planner, context()).toTransition();
    aggregate = committed(
      stepSucceeded(aggregate, succeeded('snapshot', 'evidence.snapshot-volumes'), context()),
      2,
    );
    aggregate = committed(
      stepSucceeded(aggregate, succeeded('isolate', 'contain.ec2-instance', { enis: [] }), context()),
      3,
    );
    aggregate = committed(stepSucceeded(aggregate, succeeded('notify', 'notify.incident'), context()), 4);
    const completing = stepSucceeded(aggregate, succeeded('seal', 'evidence.seal'), context());

    // Act: resolving sends the report and the `reported` notice
    const resolving = resolveRequested(committed(completing, 5), resolve(), context({ eventKey: 'resolve' }));

    // Assess
    const deadlines = resolving.steps
      .filter((step) => step.status === 'dispatched')
      .map((step) => step.deadlineAt)
      .sort();
    expect(opening.settledDeadline).toBeUndefined();
    expect(completing.incident.status).toBe('completed');
    expect(completing.toTransition().settledDeadline).toBeNull();
    expect(resolving.incident.status).toBe('resolved');
    expect(deadlines.length).toBeGreaterThan(0);
    expect(resolving.toTransition().settledDeadline).toBe(deadlines[0]);
  });
});
