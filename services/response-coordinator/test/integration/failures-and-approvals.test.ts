import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { incidentTableKeys as keys, resourceKey } from '@ir/contracts';
import { eventually, findingTypes } from '@ir/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coordinatorFixture, type Fixture, finding, STATIC_TOKEN_ACTOR, TEST_TOKEN } from './harness.js';
import { playWorkers } from './worker-double.js';

const post = (url: string, body: unknown, token?: string) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });

describe('response coordinator failure path, approvals and sweeps (on the emulator)', () => {
  let fixture: Fixture;
  let base: string;
  let offsetMs = 0;
  let sweep: () => Promise<void>;
  beforeAll(async () => {
    fixture = await coordinatorFixture({ IR_APPROVAL_TIMEOUT_SECONDS: '600' });
    const started = await fixture.start({ clock: () => new Date(Date.now() + offsetMs) });
    base = started.base;
    sweep = started.service.sweeper.sweep;
  });
  afterAll(async () => fixture.stop());

  it('notifies people of a failed step and lets independent branches finish', async () => {
    // Prepare
    const incidentId = 'inc-failure';
    await fixture.open(incidentId, finding({ type: findingTypes.c2Dns, severity: 8 }));
    // Act
    await playWorkers(fixture, incidentId, {
      failWith: (command) =>
        command.type === 'evidence.collect-volatile' ? 'SSM agent is not running' : undefined,
      until: (status, steps) =>
        status === 'needs-attention' &&
        Object.entries(steps).every(([id, s]) => !id.startsWith('notify:') || s === 'succeeded'),
      what: 'failure notified',
    });
    // Assess
    const aggregate = await fixture.incident(incidentId);
    const status = (prefix: string) =>
      aggregate?.steps.find((step) => step.stepId.startsWith(prefix))?.status;
    expect(aggregate?.incident.status).toBe('needs-attention');
    expect(status('collect-volatile')).toBe('failed');
    expect(status('capture-instance')).toBe('succeeded');
    expect(status('snapshot-volumes')).toBe('succeeded');
    expect(status('notify-opened')).toBe('succeeded');
    expect(status('isolate-instance')).toBe('pending');
    const notice = fixture.seen.find(
      (command) =>
        command.incidentId === incidentId && command.payload.stepId.startsWith('notify:step-failed:'),
    );
    expect(notice?.payload.params).toMatchObject({ stage: 'step-failed' });
    expect(JSON.stringify(notice?.payload.params)).toContain('SSM agent is not running');
    expect(fixture.seen.some((c) => c.incidentId === incidentId && c.type === 'contain.ec2-instance')).toBe(
      false,
    );
  });

  it('holds a step for approval, refuses callers without the token, and records the static token as one approver only', async () => {
    // Prepare
    const incidentId = 'inc-approval';
    const subject = finding({ type: findingTypes.portProbe, severity: 8, remoteIp: '203.0.113.9' });
    await fixture.open(incidentId, subject);
    await playWorkers(fixture, incidentId, {
      until: (_status, steps) =>
        Object.values(steps).includes('awaiting-approval') && !Object.values(steps).includes('dispatched'),
      what: 'a step awaiting approval, nothing in flight',
    });
    const held = (await fixture.incident(incidentId))?.steps.find(
      (step) => step.status === 'awaiting-approval',
    );
    const url = `${base}/incidents/${incidentId}/steps/${encodeURIComponent(held?.stepId ?? '')}/approve`;
    const before = await fixture.incident(incidentId);
    // Act
    const anonymous = await post(url, { by: 'mallory' });
    const wrong = await post(url, { by: 'mallory' }, `${TEST_TOKEN}x`);
    const listing = await fetch(`${base}/incidents`);
    const invalid = await post(url, { reason: 42 }, TEST_TOKEN);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const unchanged = await fixture.incident(incidentId);
    const approved = await post(url, { by: 'oncall@example.com', reason: 'subnet can take it' }, TEST_TOKEN);
    await eventually(
      async () =>
        ((await fixture.incident(incidentId))?.steps.find((s) => s.stepId === held?.stepId)?.approvals
          .length ?? 0) === 1,
      30_000,
      'the first approval recorded',
    );
    const again = await post(url, { by: 'someone-else@example.com' }, TEST_TOKEN);
    const after = await fixture.incident(incidentId);
    // Assess
    expect(held?.action).toBe('contain.block-ip');
    expect(held?.holdReasons).toEqual(['approval-required']);
    expect(held?.approvalsRequired).toBe(2);
    expect(anonymous.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(listing.status).toBe(401);
    expect(invalid.status).toBe(400);
    expect(unchanged?.version).toBe(before?.version);
    expect(unchanged?.steps.find((s) => s.stepId === held?.stepId)?.status).toBe('awaiting-approval');
    expect(approved.status).toBe(202);
    // A NACL block needs two people; the static token is one identity, whatever the body says.
    expect(again.status).toBe(403);
    expect(await again.json()).toMatchObject({
      message: expect.stringContaining('already approved this step'),
    });
    expect(after?.steps.find((s) => s.stepId === held?.stepId)).toMatchObject({
      status: 'awaiting-approval',
      // The body's `by` is ignored: the actor is the token's (here the local-dev static token).
      approvals: [
        { by: STATIC_TOKEN_ACTOR, actor: { issuer: 'local-dev-token', subject: 'local-dev-token' } },
      ],
    });
    expect(fixture.seen.some((c) => c.incidentId === incidentId && c.type === 'contain.block-ip')).toBe(
      false,
    );
    const detail = (await (
      await fetch(`${base}/incidents/${incidentId}`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } })
    ).json()) as { timeline: { kind: string }[] };
    expect(detail.timeline.map((entry) => entry.kind)).toContain('step-approval-recorded');
  });

  it('times out silent steps and escalates overdue approvals on a sweep, never approving them', async () => {
    // Prepare: an incident whose first commands nobody answers, and the held step of the last test.
    const incidentId = 'inc-silent';
    await fixture.open(incidentId, finding({ type: findingTypes.c2Dns, severity: 8 }));
    await fixture.waitFor(incidentId, (_s, steps) => Object.values(steps).includes('dispatched'), 'dispatch');
    const heldId = 'inc-held';
    await fixture.open(
      heldId,
      finding({ type: findingTypes.portProbe, severity: 8, remoteIp: '203.0.113.10' }),
    );
    await playWorkers(fixture, heldId, {
      until: (_status, steps) =>
        Object.values(steps).includes('awaiting-approval') && !Object.values(steps).includes('dispatched'),
      what: 'a held step',
    });
    // Act
    offsetMs = 3 * 3600 * 1000;
    await sweep();
    offsetMs = 0;
    // Assess
    const silent = await fixture.incident(incidentId);
    expect(silent?.incident.status).toBe('needs-attention');
    expect(silent?.steps.filter((step) => step.status === 'timed-out').length).toBeGreaterThan(0);
    expect(silent?.steps.some((step) => step.stepId.startsWith('notify:step-timed-out:'))).toBe(true);
    const held = await fixture.incident(heldId);
    const waiting = held?.steps.find((step) => step.action === 'contain.block-ip');
    expect(waiting).toMatchObject({ status: 'awaiting-approval', escalations: 1 });
    const reminder = held?.steps.find((step) => step.stepId.startsWith('notify:approval-overdue:'));
    expect(reminder?.params).toMatchObject({ stage: 'approval-needed', details: { page: true } });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/ir_incidents_open\{[^}]*status="needs-attention"[^}]*\} [1-9]/);
    // Counted from the incidents as the sweep read or left them (the held step among them)
    expect(metrics).toMatch(/\nir_approvals_pending(\{[^}]*\})? [1-9]/);
  });

  it('resolves an incident and releases the resource marker detection holds for it', async () => {
    // Prepare: detection's open-incident marker of the resource.
    const incidentId = 'inc-resolve';
    const subject = finding({
      type: findingTypes.c2Dns,
      severity: 2,
      resource: { kind: 'instance', instanceId: 'i-0000000000000e001' },
    });
    const [resource] = subject.resources;
    const marker = (key: string, owner: string) =>
      fixture.clients.dynamodb.send(
        new PutItemCommand({
          TableName: fixture.system.tableName,
          Item: {
            pk: { S: keys.resourcePk(subject.accountId, key) },
            sk: { S: keys.resourceSk },
            incidentId: { S: owner },
          },
        }),
      );
    await marker(resourceKey(resource!), incidentId);
    await fixture.open(incidentId, subject);
    await playWorkers(fixture, incidentId, { until: (status) => status === 'completed', what: 'completed' });
    // Act: a resolve that does not say whether the incident was real is refused, and changes nothing.
    const bare = await post(`${base}/incidents/${incidentId}/resolve`, { reason: 'done' }, TEST_TOKEN);
    const unchanged = await fixture.incident(incidentId);
    const response = await post(
      `${base}/incidents/${incidentId}/resolve`,
      { by: 'lead@example.com', disposition: 'true-positive', category: 'malware' },
      TEST_TOKEN,
    );
    await fixture.waitFor(incidentId, (status) => status === 'resolved', 'resolved');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    // Assess
    expect(bare.status).toBe(400);
    expect(unchanged?.incident.status).toBe('completed');
    expect(response.status).toBe(202);
    expect((await fixture.incident(incidentId))?.incident.disposition).toMatchObject({
      disposition: 'true-positive',
      category: 'malware',
      source: 'operator',
    });
    const metrics = (await (await fetch(`${base}/metrics`)).text()).split('\n');
    // A sample line of `name` holding every one of `labels` (prom-client orders labels as it likes).
    const sample = (name: string, labels: string[]) =>
      metrics.find((line) => line.startsWith(`${name}{`) && labels.every((label) => line.includes(label)));
    expect(
      sample('ir_time_to_resolve_seconds_count', ['category="malware"', 'disposition="true-positive"']),
    ).toMatch(/ 1$/);
    expect(
      sample('ir_incidents_resolved_total', [
        `finding_type="${findingTypes.c2Dns}"`,
        'disposition="true-positive"',
      ]),
    ).toMatch(/ 1$/);
    const read = await fixture.clients.dynamodb.send(
      new GetItemCommand({
        TableName: fixture.system.tableName,
        Key: {
          pk: { S: keys.resourcePk(subject.accountId, resourceKey(resource!)) },
          sk: { S: keys.resourceSk },
        },
        ConsistentRead: true,
      }),
    );
    expect(read.Item).toBeUndefined();
    const again = await post(
      `${base}/incidents/${incidentId}/resolve`,
      { by: 'lead@example.com', disposition: 'true-positive', category: 'malware' },
      TEST_TOKEN,
    );
    expect(again.status).toBe(409);
  });

  it('times out the unanswered steps of a resolved incident and alerts, never silent (issue 23, part 8)', async () => {
    // Prepare: a completed incident, resolved; its report and `reported` notice go out and nobody answers
    const incidentId = 'inc-resolved-silent';
    await fixture.open(incidentId, finding({ type: findingTypes.c2Dns, severity: 2 }));
    await playWorkers(fixture, incidentId, { until: (status) => status === 'completed', what: 'completed' });
    const resolved = await post(
      `${base}/incidents/${incidentId}/resolve`,
      { disposition: 'true-positive', category: 'malware' },
      TEST_TOKEN,
    );
    await fixture.waitFor(
      incidentId,
      (status, steps) => status === 'resolved' && Object.values(steps).includes('dispatched'),
      'resolved with steps in flight',
    );
    const marker = () =>
      fixture.clients.dynamodb.send(
        new GetItemCommand({
          TableName: fixture.system.tableName,
          Key: { pk: { S: keys.incidentPk(incidentId) }, sk: { S: keys.inFlightSk } },
          ConsistentRead: true,
        }),
      );
    const inFlight = (await fixture.incident(incidentId))?.steps.filter(
      (step) => step.status === 'dispatched',
    );
    const markedBefore = (await marker()).Item;

    // Act: a sweep after every deadline, then another after the alerts' own deadlines
    offsetMs = 3 * 3600 * 1000;
    await eventually(
      async () => {
        await sweep();
        const steps = (await fixture.incident(incidentId))?.steps ?? [];
        return (inFlight ?? []).every(
          (step) => steps.find((s) => s.stepId === step.stepId)?.status === 'timed-out',
        );
      },
      20_000,
      'the resolved incident swept (the index is eventually consistent)',
    );
    const afterFirst = await fixture.incident(incidentId);
    offsetMs = 6 * 3600 * 1000;
    await eventually(
      async () => {
        await sweep();
        return (await marker()).Item === undefined;
      },
      20_000,
      'the alerts timed out in turn',
    );
    offsetMs = 0;
    const settled = await fixture.incident(incidentId);

    // Assess: the incident stays resolved; each silent step timed out, with a step-failed alert
    expect(resolved.status).toBe(202);
    expect(inFlight?.length).toBeGreaterThan(0);
    expect(markedBefore?.gsi1pk?.S).toBe(keys.inFlightGsiPk);
    expect(afterFirst?.incident.status).toBe('resolved');
    for (const step of inFlight ?? []) {
      const alert = afterFirst?.steps.find((s) =>
        s.stepId.startsWith(`notify:step-timed-out:${step.stepId}`),
      );
      if (step.action === 'notify.incident') expect(alert).toBeUndefined();
      else expect(alert?.params).toMatchObject({ stage: 'step-failed' });
    }
    expect(settled?.incident.status).toBe('resolved');
    expect(settled?.steps.some((step) => step.status === 'dispatched')).toBe(false);
  });
});
