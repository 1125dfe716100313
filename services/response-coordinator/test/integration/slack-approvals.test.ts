import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  DEMO_OPERATORS,
  eventually,
  findingTypes,
  type LocalIdentityProvider,
  queueDepth,
  startIdentityProvider,
} from '@ir/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncidentAggregate } from '../../src/model.js';
import { coordinatorFixture, type Fixture, finding } from './harness.js';
import { openAwaitingApproval, stopConsumer } from './worker-double.js';

/** A local HTTP server standing in for Slack's response_url: records every POST, answers 200. */
async function startResponseReceiver() {
  const received: { path: string; body: Record<string, unknown> }[] = [];
  const server: Server = createServer((request, response) => {
    let raw = '';
    request.on('data', (chunk: Buffer) => {
      raw += chunk.toString('utf8');
    });
    request.on('end', () => {
      received.push({ path: request.url ?? '', body: JSON.parse(raw || '{}') as Record<string, unknown> });
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

type Receiver = Awaited<ReturnType<typeof startResponseReceiver>>;
type Block = { type: string; block_id?: string; elements?: { text?: string }[] };

/** Slack user ids of the test workspace. */
const SLACK = { alice: 'U0ALICE01', bob: 'U0BOB0001', victor: 'U0VICTOR1', stranger: 'U0NOBODY1' } as const;

describe('Slack approvals (signed interactivity requests to a running coordinator, real local IdP)', () => {
  const signingSecret = randomBytes(32).toString('hex');
  const incidentId = 'inc-slack';
  let idp: LocalIdentityProvider;
  let slack: Receiver;
  let elsewhere: Receiver;
  let fixture: Fixture;
  let base: string;
  let heldStep = '';
  let before: IncidentAggregate | undefined;
  let sequence = 0;

  /** The approval message as the notifier's bot posted it: header, facts, the step's buttons, context. */
  const messageBlocks = (stepId: string) => {
    const value = JSON.stringify({ incidentId, stepId });
    return [
      { type: 'header', block_id: 'h', text: { type: 'plain_text', text: 'Approval needed: block-ip' } },
      { type: 'section', block_id: 's', text: { type: 'mrkdwn', text: '*Waiting for approval*' } },
      {
        type: 'actions',
        block_id: 'ir_approval_0',
        elements: [
          {
            type: 'button',
            action_id: 'ir_approve',
            style: 'primary',
            value,
            text: { type: 'plain_text', text: 'Approve' },
          },
          {
            type: 'button',
            action_id: 'ir_reject',
            style: 'danger',
            value,
            text: { type: 'plain_text', text: 'Reject' },
          },
        ],
      },
      {
        type: 'context',
        block_id: 'c',
        elements: [{ type: 'mrkdwn', text: `correlation corr-${incidentId}` }],
      },
    ];
  };

  /** A `block_actions` body as Slack sends it: form-encoded, the JSON in `payload`. */
  const interaction = (options: {
    user: string;
    action?: 'ir_approve' | 'ir_reject';
    responseUrl?: string;
  }) => {
    sequence += 1;
    const stepValue = JSON.stringify({ incidentId, stepId: heldStep });
    const payload = {
      type: 'block_actions',
      user: { id: options.user, username: options.user.toLowerCase(), team_id: 'T0TESTWS1' },
      api_app_id: 'A0TESTAPP',
      token: 'deprecated-verification-token',
      container: {
        type: 'message',
        message_ts: '1700000000.000100',
        channel_id: 'C0APPROVALS',
        is_ephemeral: false,
      },
      trigger_id: `trigger-${sequence}`,
      team: { id: 'T0TESTWS1', domain: 'ir-test' },
      channel: { id: 'C0APPROVALS', name: 'ir-approvals' },
      message: {
        type: 'message',
        ts: '1700000000.000100',
        text: 'Approval needed',
        blocks: messageBlocks(heldStep),
      },
      response_url: options.responseUrl ?? `${slack.base}/actions/T0TESTWS1/${sequence}/hook-${sequence}`,
      actions: [
        {
          action_id: options.action ?? 'ir_approve',
          block_id: 'ir_approval_0',
          type: 'button',
          value: stepValue,
          style: 'primary',
          text: { type: 'plain_text', text: 'Approve' },
          action_ts: `${Math.floor(Date.now() / 1000)}.000200`,
        },
      ],
    };
    return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  };

  /** Signs as Slack does: `v0=` hex HMAC-SHA256 of `v0:<timestamp>:<body>` with the signing secret. */
  const sign = (body: string, timestamp: number, secret = signingSecret) =>
    `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;

  const post = (body: string, headers: Record<string, string>) =>
    fetch(`${base}/slack/interactions`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body,
    });

  const signedPost = (body: string, timestamp = Math.floor(Date.now() / 1000)) =>
    post(body, {
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': sign(body, timestamp),
    });

  /** The incident as the table holds it is as `expected`, and nothing waits on the coordinator queue. */
  const assertUnchanged = async (expected: IncidentAggregate | undefined) => {
    const now = await fixture.incident(incidentId);
    expect(now?.version).toBe(expected?.version);
    expect(now?.steps.find((s) => s.stepId === heldStep)).toEqual(
      expected?.steps.find((s) => s.stepId === heldStep),
    );
    expect(await queueDepth(fixture.clients.sqs, fixture.system.queues.coordinator.url)).toBe(0);
  };

  /** Waits for the next message on the response_url stand-in. */
  const nextResponse = async (count: number) => {
    await eventually(async () => slack.received.length >= count, 15_000, `${count} response_url message(s)`);
    return slack.received[count - 1]?.body ?? {};
  };

  /** Applies what the stopped API published, with a second coordinator's consumer, then stops it. */
  const applyQueuedDecisions = async (until: (step: IncidentAggregate['steps'][number]) => boolean) => {
    const consumer = await fixture.start();
    await eventually(
      async () => {
        const step = (await fixture.incident(incidentId))?.steps.find((s) => s.stepId === heldStep);
        return step !== undefined && until(step);
      },
      30_000,
      'the decision applied',
    );
    await stopConsumer(fixture, consumer);
  };

  const metric = async (outcome: string) => {
    const text = await (await fetch(`${base}/metrics`)).text();
    const line = text
      .split('\n')
      .find((l) => l.startsWith('ir_slack_interactions_total{') && l.includes(`outcome="${outcome}"`));
    return Number(line?.split(' ')[1] ?? 0);
  };

  beforeAll(async () => {
    idp = await startIdentityProvider();
    slack = await startResponseReceiver();
    elsewhere = await startResponseReceiver();
    const operator = (who: 'approver' | 'secondApprover' | 'viewer', role: string) => ({
      issuer: idp.issuer,
      subject: DEMO_OPERATORS[who].subject,
      name: DEMO_OPERATORS[who].name,
      email: DEMO_OPERATORS[who].email,
      role,
    });
    fixture = await coordinatorFixture({
      IR_ENV: 'test',
      IR_OIDC_ISSUER: idp.issuer,
      IR_OIDC_AUDIENCE: idp.audience,
      IR_SLACK_SIGNING_SECRET: signingSecret,
      IR_SLACK_USER_MAP: JSON.stringify({
        [SLACK.alice]: operator('approver', 'approver'),
        [SLACK.bob]: operator('secondApprover', 'approver'),
        [SLACK.victor]: operator('viewer', 'viewer'),
      }),
      // Slack's https://hooks.slack.com/ in production; the local stand-in here.
      IR_SLACK_RESPONSE_URL_PREFIX: `${slack.base}/actions/`,
    });
    const started = await fixture.start();
    base = started.base;
    await openAwaitingApproval(
      fixture,
      incidentId,
      finding({ type: findingTypes.portProbe, severity: 8, remoteIp: '203.0.113.9' }),
    );
    // From here this API runs without its consumer, so anything it publishes stays on the queue.
    await stopConsumer(fixture, started);
    before = await fixture.incident(incidentId);
    heldStep = before?.steps.find((s) => s.status === 'awaiting-approval')?.stepId ?? '';
  }, 240_000);

  afterAll(async () => {
    await fixture?.stop();
    await idp?.stop();
    await slack?.close();
    await elsewhere?.close();
  });

  it('answers 401 to a missing, wrong, replayed, future-dated or tampered signature, and changes nothing', async () => {
    // Prepare
    const now = Math.floor(Date.now() / 1000);
    const body = interaction({ user: SLACK.alice });
    const sixMinutesAgo = now - 6 * 60;
    const tampered = interaction({ user: SLACK.victor });
    const cases: [string, string, Record<string, string>][] = [
      ['no signature', body, {}],
      [
        'wrong secret',
        body,
        {
          'x-slack-request-timestamp': String(now),
          'x-slack-signature': sign(body, now, randomBytes(32).toString('hex')),
        },
      ],
      [
        'replayed (6 minutes old)',
        body,
        {
          'x-slack-request-timestamp': String(sixMinutesAgo),
          'x-slack-signature': sign(body, sixMinutesAgo),
        },
      ],
      [
        'future-dated',
        body,
        { 'x-slack-request-timestamp': String(now + 600), 'x-slack-signature': sign(body, now + 600) },
      ],
      // Signed for Victor (a viewer), then the user id swapped for Alice's.
      [
        'body tampered after signing',
        tampered.replace(SLACK.victor, SLACK.alice),
        { 'x-slack-request-timestamp': String(now), 'x-slack-signature': sign(tampered, now) },
      ],
      [
        'not v0',
        body,
        {
          'x-slack-request-timestamp': String(now),
          'x-slack-signature': sign(body, now).replace('v0=', 'v1='),
        },
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
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(slack.received).toHaveLength(0);
    await assertUnchanged(before);
    expect(await metric('bad_signature')).toBe(refusedBefore + cases.length);
  });

  it('refuses a Slack user with no mapping in a message only they see, and changes nothing', async () => {
    // Prepare
    const body = interaction({ user: SLACK.stranger });
    // Act
    const response = await signedPost(body);
    const refusal = await nextResponse(1);
    // Assess
    expect(response.status).toBe(200);
    expect(refusal).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(String(refusal.text)).toContain('not mapped to an operator identity');
    await assertUnchanged(before);
    expect(await metric('unmapped')).toBe(1);
  });

  it('refuses a mapped viewer for want of the approver role, and changes nothing', async () => {
    // Act
    const response = await signedPost(interaction({ user: SLACK.victor }));
    const refusal = await nextResponse(2);
    // Assess
    expect(response.status).toBe(200);
    expect(refusal).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(String(refusal.text)).toMatch(/needs the approver role/);
    await assertUnchanged(before);
  });

  it('never POSTs to a response_url off the allowed prefix (400), and changes nothing', async () => {
    // Act
    const response = await signedPost(
      interaction({ user: SLACK.alice, responseUrl: `${elsewhere.base}/actions/T0TESTWS1/1/x` }),
    );
    // Assess
    expect(response.status).toBe(400);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(elsewhere.received).toHaveLength(0);
    expect(slack.received).toHaveLength(2);
    await assertUnchanged(before);
  });

  it('takes an approval from a mapped approver: 200 within 3 s, the decider shown, the approval recorded', async () => {
    // Prepare: blocking a subnet's NACL needs two different approvers (issue 18)
    const step = before?.steps.find((s) => s.stepId === heldStep);
    expect(step?.action).toBe('contain.block-ip');
    expect(step?.approvalsRequired).toBe(2);
    // Act
    const started = Date.now();
    const response = await signedPost(interaction({ user: SLACK.alice }));
    const answeredMs = Date.now() - started;
    const update = await nextResponse(3);
    await applyQueuedDecisions((s) => s.approvals.length === 1);
    // Assess: the acknowledgement
    expect(response.status).toBe(200);
    expect(answeredMs).toBeLessThan(3_000);
    // The message: the decider named with issuer and subject; the buttons stay for the second approver
    expect(update.replace_original).toBe(true);
    const blocks = update.blocks as Block[];
    const alice = DEMO_OPERATORS.approver;
    expect(JSON.stringify(blocks.at(-1))).toContain(
      `Approved by ${alice.name} &lt;${alice.email}&gt; (${idp.issuer} / ${alice.subject}) at `,
    );
    expect(JSON.stringify(blocks.at(-1))).toContain('waits for 1 more approval by another person');
    expect(blocks.some((block) => block.type === 'actions')).toBe(true);
    // The table: Alice's approval recorded with her verified identity; the step still waits
    const after = (await fixture.incident(incidentId))?.steps.find((s) => s.stepId === heldStep);
    expect(after?.status).toBe('awaiting-approval');
    expect(after?.approvals[0]?.actor).toEqual({
      issuer: idp.issuer,
      subject: alice.subject,
      name: alice.name,
      email: alice.email,
    });
    before = await fixture.incident(incidentId);
  });

  it('refuses the same approver a second time (two-person rule), and changes nothing', async () => {
    // Act
    const response = await signedPost(interaction({ user: SLACK.alice }));
    const refusal = await nextResponse(4);
    // Assess
    expect(response.status).toBe(200);
    expect(refusal).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(String(refusal.text)).toContain('already approved this step');
    expect(String(refusal.text)).toContain('two-person rule');
    await assertUnchanged(before);
  });

  it('runs the step on a second approver, removes the buttons, and refuses any later click', async () => {
    // Act: Bob approves
    const response = await signedPost(interaction({ user: SLACK.bob }));
    const update = await nextResponse(5);
    await applyQueuedDecisions((s) => s.status !== 'awaiting-approval');
    // Assess
    expect(response.status).toBe(200);
    const bob = DEMO_OPERATORS.secondApprover;
    expect(update.replace_original).toBe(true);
    const blocks = update.blocks as Block[];
    expect(blocks.some((block) => block.type === 'actions')).toBe(false);
    expect(JSON.stringify(blocks.at(-1))).toContain(`Approved by ${bob.name}`);
    expect(JSON.stringify(blocks.at(-1))).toContain(`(${idp.issuer} / ${bob.subject})`);
    const step = (await fixture.incident(incidentId))?.steps.find((s) => s.stepId === heldStep);
    expect(['pending', 'dispatched', 'succeeded']).toContain(step?.status);
    expect(step?.approvals.map((a) => a.actor.subject)).toEqual([
      DEMO_OPERATORS.approver.subject,
      bob.subject,
    ]);
    // Act: a late click on a stale copy of the message (Reject, by Alice)
    before = await fixture.incident(incidentId);
    const late = await signedPost(interaction({ user: SLACK.alice, action: 'ir_reject' }));
    const refusal = await nextResponse(6);
    // Assess
    expect(late.status).toBe(200);
    expect(refusal).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(String(refusal.text)).toContain('not awaiting approval');
    await assertUnchanged(before);
    expect(await metric('accepted')).toBe(2);
    expect(await metric('refused')).toBe(3);
  });
});
