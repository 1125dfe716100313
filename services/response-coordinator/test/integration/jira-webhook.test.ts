import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { ChangeMessageVisibilityCommand } from '@aws-sdk/client-sqs';
import { eventually, queueDepth, receiveMessages } from '@ir/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncidentAggregate } from '../../src/model.js';
import { coordinatorFixture, type Fixture, finding, TEST_TOKEN } from './harness.js';
import { stopConsumer } from './worker-double.js';

/** The Jira site of the test (no request goes to it: it names the issuer of Jira users). */
const JIRA_SITE = 'https://ir-test.atlassian.net';
/** Grace, the Jira user who closes the tickets (an Atlassian account id's shape). */
const GRACE = { accountId: '5b10ac8d82e05b22cc7d4ef5', displayName: 'Grace Hopper' };

type Detail = {
  incident: { status: string; resolvedBy?: string; disposition?: Record<string, unknown> };
  steps: { stepId: string; action: string; params: Record<string, unknown> }[];
  timeline: { kind: string; detail?: Record<string, unknown> }[];
};

/** A `jira:issue_updated` body as Jira Cloud sends it when a person moves an issue to Done. */
function issueUpdated(options: {
  incidentId: string;
  key: string;
  labels?: readonly string[];
  resolution?: string | null;
  statusCategory?: 'new' | 'indeterminate' | 'done';
  changed?: readonly string[];
}) {
  const issueId = String(10_000 + Math.floor(Math.random() * 1000));
  const done = (options.statusCategory ?? 'done') === 'done';
  const resolution = options.resolution === undefined ? 'Done' : options.resolution;
  return JSON.stringify({
    timestamp: Date.now(),
    webhookEvent: 'jira:issue_updated',
    issue_event_type_name: 'issue_generic',
    user: {
      self: `${JIRA_SITE}/rest/api/2/user?accountId=${GRACE.accountId}`,
      accountId: GRACE.accountId,
      displayName: GRACE.displayName,
      active: true,
      timeZone: 'Europe/London',
      accountType: 'atlassian',
    },
    issue: {
      id: issueId,
      self: `${JIRA_SITE}/rest/api/2/issue/${issueId}`,
      key: options.key,
      fields: {
        summary: `[CRITICAL] Incident opened (${options.incidentId})`,
        labels: [
          'ir-incident',
          `ir-incident-${options.incidentId}`,
          'ir-severity-high',
          ...(options.labels ?? []),
        ],
        issuetype: { id: '10002', name: 'Task', subtask: false },
        project: { id: '10000', key: 'SEC', name: 'Security' },
        status: {
          self: `${JIRA_SITE}/rest/api/2/status/${done ? '10001' : '3'}`,
          description: '',
          name: done ? 'Done' : 'In Progress',
          id: done ? '10001' : '3',
          statusCategory: {
            self: `${JIRA_SITE}/rest/api/2/statuscategory/${done ? 3 : 4}`,
            id: done ? 3 : 4,
            key: options.statusCategory ?? 'done',
            colorName: done ? 'green' : 'yellow',
            name: done ? 'Done' : 'In Progress',
          },
        },
        resolution:
          resolution === null
            ? null
            : {
                self: `${JIRA_SITE}/rest/api/2/resolution/10000`,
                id: '10000',
                description: '',
                name: resolution,
              },
      },
    },
    changelog: {
      id: String(20_000 + Math.floor(Math.random() * 1000)),
      items: (options.changed ?? ['status', 'resolution']).map((field) => ({
        field,
        fieldtype: 'jira',
        fieldId: field,
        from: null,
        fromString: null,
        to: null,
        toString: field === 'resolution' ? resolution : 'Done',
      })),
    },
  });
}

describe('Jira webhook (signed issue updates to a running coordinator, incidents in the emulated table)', () => {
  const secret = randomBytes(32).toString('hex');
  const incidents = { close: 'inc-jira-close', noCategory: 'inc-jira-nocat', forged: 'inc-jira-forged' };
  let fixture: Fixture;
  let base: string;

  /** Jira's X-Hub-Signature: `sha256=` hex HMAC-SHA256 of the raw body with the webhook's secret. */
  const sign = (body: string, key = secret) =>
    `sha256=${createHmac('sha256', key).update(body).digest('hex')}`;
  const post = (body: string, headers: Record<string, string>) =>
    fetch(`${base}/integrations/jira/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
      body,
    });
  const signedPost = (body: string, deliveryId = randomUUID()) =>
    post(body, { 'x-hub-signature': sign(body), 'x-atlassian-webhook-identifier': deliveryId });

  const metric = async (outcome: string) => {
    const text = await (await fetch(`${base}/metrics`)).text();
    const line = text
      .split('\n')
      .find((l) => l.startsWith('ir_jira_webhooks_total{') && l.includes(`outcome="${outcome}"`));
    return Number(line?.split(' ')[1] ?? 0);
  };
  const coordinatorDepth = () => queueDepth(fixture.clients.sqs, fixture.system.queues.coordinator.url);
  const detail = async (incidentId: string) =>
    (await (
      await fetch(`${base}/incidents/${incidentId}`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } })
    ).json()) as Detail;

  /** Applies what the stopped API published with a second coordinator's consumer, then stops it. */
  const applyQueued = async (incidentId: string, until: (aggregate: IncidentAggregate) => boolean) => {
    const consumer = await fixture.start();
    await eventually(
      async () => {
        const aggregate = await fixture.incident(incidentId);
        return aggregate !== undefined && until(aggregate);
      },
      30_000,
      'the queued message applied',
    );
    await stopConsumer(fixture, consumer);
  };

  beforeAll(async () => {
    fixture = await coordinatorFixture({
      IR_JIRA_WEBHOOK_SECRET: secret,
      IR_JIRA_BASE_URL: JIRA_SITE,
      IR_JIRA_RESOLUTION_DISPOSITIONS: "Done=true-positive,Won't Do=false-positive,Duplicate=duplicate",
    });
    const started = await fixture.start();
    base = started.base;
    for (const incidentId of Object.values(incidents)) await fixture.open(incidentId, finding());
    for (const incidentId of Object.values(incidents))
      await fixture.waitFor(incidentId, () => true, `${incidentId} opened`);
    // From here this API runs without its consumer, so anything it publishes stays on the queue.
    await stopConsumer(fixture, started);
  }, 240_000);

  afterAll(async () => {
    await fixture?.stop();
  });

  it('answers 401 to a missing, wrong, malformed or tampered signature, and changes nothing', async () => {
    // Prepare
    const before = await fixture.incident(incidents.forged);
    const body = issueUpdated({
      incidentId: incidents.forged,
      key: 'SEC-9',
      labels: ['ir-category-malware'],
    });
    const cases: [string, string, Record<string, string>][] = [
      ['no signature', body, {}],
      ['wrong secret', body, { 'x-hub-signature': sign(body, randomBytes(32).toString('hex')) }],
      ['not sha256', body, { 'x-hub-signature': sign(body).replace('sha256=', 'sha1=') }],
      [
        'body tampered after signing',
        body.replace('Grace Hopper', 'Mallory'),
        { 'x-hub-signature': sign(body) },
      ],
    ];
    const refusedBefore = await metric('bad_signature');
    for (const [what, sent, headers] of cases) {
      // Act
      const response = await post(sent, headers);
      // Assess
      expect(response.status, what).toBe(401);
      expect(await response.json(), what).toMatchObject({ error: 'unauthorized' });
    }
    expect(await coordinatorDepth()).toBe(0);
    const after = await fixture.incident(incidents.forged);
    expect(after?.version).toBe(before?.version);
    expect(after?.incident.status).not.toBe('resolved');
    expect(await metric('bad_signature')).toBe(refusedBefore + cases.length);
  });

  it('ignores signed updates that do not close the ticket (a comment, a status not done)', async () => {
    // Prepare
    const comment = issueUpdated({
      incidentId: incidents.forged,
      key: 'SEC-9',
      labels: ['ir-category-malware'],
      changed: [],
    });
    const inProgress = issueUpdated({
      incidentId: incidents.forged,
      key: 'SEC-9',
      labels: ['ir-category-malware'],
      statusCategory: 'indeterminate',
      resolution: null,
    });
    // Act
    const answers = [await signedPost(comment), await signedPost(inProgress)];
    // Assess
    expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
    expect(await coordinatorDepth()).toBe(0);
  });

  it('resolves the incident from a ticket closed in Jira with a mapped resolution and a category label', async () => {
    // Prepare
    const deliveryId = randomUUID();
    const body = issueUpdated({
      incidentId: incidents.close,
      key: 'SEC-42',
      resolution: "Won't Do",
      labels: ['ir-category-reconnaissance'],
    });
    // Act
    const response = await signedPost(body, deliveryId);
    const redelivered = await signedPost(body, deliveryId);
    // Assess: what was published, signed as the API signs decisions
    expect([response.status, redelivered.status]).toEqual([202, 202]);
    const received = await receiveMessages(fixture.clients.sqs, fixture.system.queues.coordinator.url, 2);
    // Visible again at once, for the consumer that applies them below.
    for (const message of received) {
      await fixture.clients.sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: fixture.system.queues.coordinator.url,
          ReceiptHandle: message.ReceiptHandle,
          VisibilityTimeout: 0,
        }),
      );
    }
    const queued = received.map(
      (message) =>
        JSON.parse(message.Body ?? '{}') as { id: string; type: string; payload: Record<string, unknown> },
    );
    expect(queued).toHaveLength(2);
    expect(queued[0]?.id).toBe(queued[1]?.id);
    expect(queued[0]).toMatchObject({
      type: 'incident.resolve-requested',
      payload: {
        disposition: 'false-positive',
        category: 'reconnaissance',
        source: 'jira',
        actor: { issuer: JIRA_SITE, subject: GRACE.accountId, name: GRACE.displayName },
        signature: { alg: 'HMAC-SHA256' },
      },
    });
    // Assess: the incident, read back through the API once a consumer applied it
    await applyQueued(incidents.close, (aggregate) => aggregate.incident.status === 'resolved');
    const closed = await detail(incidents.close);
    expect(closed.incident.resolvedBy).toBe('Grace Hopper (Jira)');
    expect(closed.incident.disposition).toMatchObject({
      disposition: 'false-positive',
      category: 'reconnaissance',
      decidedBy: 'Grace Hopper (Jira)',
      decidedByActor: { issuer: JIRA_SITE, subject: GRACE.accountId },
      source: 'jira',
    });
    expect(closed.timeline.filter((entry) => entry.kind === 'incident-resolved')).toHaveLength(1);
    expect(await coordinatorDepth()).toBe(0);
  });

  it('does not resolve a ticket closed without a category label: the closing is recorded and people are asked', async () => {
    // Prepare
    const body = issueUpdated({ incidentId: incidents.noCategory, key: 'SEC-43', resolution: 'Done' });
    const recordedBefore = await metric('recorded');
    // Act
    const response = await signedPost(body);
    // Assess
    expect(response.status).toBe(202);
    expect(await metric('recorded')).toBe(recordedBefore + 1);
    await applyQueued(incidents.noCategory, (aggregate) =>
      aggregate.steps.some((step) => step.stepId.startsWith('notify:ticket-closed:')),
    );
    const open = await detail(incidents.noCategory);
    expect(open.incident.status).not.toBe('resolved');
    expect(open.incident.disposition).toBeUndefined();
    expect(open.timeline.find((entry) => entry.kind === 'ticket-closed')?.detail).toMatchObject({
      ticketKey: 'SEC-43',
      status: 'Done',
      resolution: 'Done',
      missing: ['category'],
      source: 'jira',
      actor: { issuer: JIRA_SITE, subject: GRACE.accountId },
    });
    const ask = open.steps.find((step) => step.stepId.startsWith('notify:ticket-closed:'));
    expect(ask?.params).toMatchObject({ stage: 'approval-needed', details: { ticketKey: 'SEC-43' } });
    expect(String(ask?.params.summary)).toContain('without a category');
  });
});
