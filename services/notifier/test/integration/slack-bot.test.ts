import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SLACK_APPROVE_ACTION, SLACK_REJECT_ACTION } from '../../src/channels/slack.js';
import { APPROVAL_CHANNEL, type NotifierFixture, SECRETS, startNotifier } from './notifier-fixture.js';

type Outcome = { channel: string; outcome: string; attempts: number; error?: string; detail?: unknown };
type Block = { type: string; block_id?: string; elements?: Record<string, unknown>[] };

/** The coordinator's own approval-needed notification: the held step is named in `details`. */
const held = {
  stage: 'approval-needed' as const,
  severityBand: 'MEDIUM' as const,
  summary: 'Step block-nacl (contain.nacl-deny) waits for approval: approval-required',
  details: { stepId: 'block-nacl', action: 'contain.nacl-deny', holdReasons: ['approval-required'] },
};

describe('notifier Slack bot (a local stand-in for Slack Web API chat.postMessage)', () => {
  let fx: NotifierFixture;
  beforeAll(async () => {
    fx = await startNotifier({ slackBot: true });
  });
  afterAll(async () => {
    await fx?.stop();
  });
  beforeEach(() => fx.reset());

  const outcomes = (result: Awaited<ReturnType<NotifierFixture['resultOf']>>) =>
    result.type === 'step.succeeded' ? (result.payload.result.channels as Outcome[]) : [];

  it('posts an approval with the bot token, to the approval channel, with Approve and Reject buttons per held step', async () => {
    // Prepare / Act
    const command = await fx.send(held, { incidentId: 'inc-slack-1' });
    const result = await fx.resultOf(command);
    // Assess: what Slack's stand-in accepted
    expect(result.type).toBe('step.succeeded');
    expect(fx.http.slackApi.posted).toHaveLength(1);
    const [request] = fx.http.slackApi.requests;
    expect(request?.headers.authorization).toBe(`Bearer ${SECRETS.slackBotToken}`);
    expect(request?.headers['content-type']).toBe('application/json; charset=utf-8');
    const body = request?.body as { channel: string; text: string; blocks: Block[] };
    expect(body.channel).toBe(APPROVAL_CHANNEL);
    expect(body.text).toContain('Approval needed');
    const actions = body.blocks.filter((block) => block.type === 'actions');
    expect(actions).toHaveLength(1);
    const [approve, reject] = actions[0]?.elements ?? [];
    expect(approve).toMatchObject({ type: 'button', action_id: SLACK_APPROVE_ACTION, style: 'primary' });
    expect(reject).toMatchObject({ type: 'button', action_id: SLACK_REJECT_ACTION, style: 'danger' });
    for (const button of [approve, reject]) {
      expect(JSON.parse(String(button?.value))).toEqual({ incidentId: 'inc-slack-1', stepId: 'block-nacl' });
    }
    expect(approve?.confirm).toBeDefined();
    // The webhook is not used for a message that needs buttons
    expect(fx.http.slack.requests).toHaveLength(0);
    expect(outcomes(result)).toEqual([
      expect.objectContaining({
        channel: 'slack',
        outcome: 'delivered',
        attempts: 1,
        detail: expect.objectContaining({ via: 'bot', buttons: true, channel: APPROVAL_CHANNEL }),
      }),
    ]);
  });

  it('gives each of several pending approvals its own buttons, and sends the rest through the webhook', async () => {
    // Prepare
    const pendingApprovals = [
      { stepId: 'isolate-1', action: 'contain.ec2-instance', reason: 'protected' },
      { stepId: 'remove-login', action: 'contain.iam-login-profile' },
    ];
    // Act
    await fx.resultOf(
      await fx.send(
        { stage: 'opened', severityBand: 'LOW', summary: 'Two held', pendingApprovals },
        { incidentId: 'inc-slack-2' },
      ),
    );
    await fx.resultOf(await fx.send({ stage: 'opened', severityBand: 'MEDIUM', summary: 'Nothing held' }));
    // Assess
    expect(fx.http.slackApi.posted).toHaveLength(1);
    const body = JSON.parse(fx.http.slackApi.posted[0] ?? '{}') as { blocks: Block[] };
    const values = body.blocks
      .filter((block) => block.type === 'actions')
      .map((block) => block.elements?.map((button) => JSON.parse(String(button.value)).stepId));
    expect(values).toEqual([
      ['isolate-1', 'isolate-1'],
      ['remove-login', 'remove-login'],
    ]);
    const webhook = fx.http.slack.accepted();
    expect(webhook).toHaveLength(1);
    expect(webhook[0]?.raw).toContain('Nothing held');
    expect(webhook[0]?.raw).not.toContain('"actions"');
  });

  it('fails over without retrying when Slack answers ok:false with a setup error', async () => {
    // Prepare: HTTP 200, refused in the body, as Slack does
    fx.http.slackApi.script([], { status: 200, body: '{"ok":false,"error":"not_in_channel"}' });
    // Act
    const result = await fx.resultOf(await fx.send(held));
    // Assess
    expect(fx.http.slackApi.requests).toHaveLength(1);
    const [slack, email] = outcomes(result);
    expect(slack).toMatchObject({ channel: 'slack', outcome: 'failed', attempts: 1 });
    expect(slack?.error).toContain('chat.postMessage refused: not_in_channel, not retried');
    expect(email).toMatchObject({ channel: 'email', outcome: 'delivered' });
    expect(fx.smtp.mails).toHaveLength(1);
  });

  it('retries ok:false errors on Slack side, then delivers once', async () => {
    // Prepare
    fx.http.slackApi.script([{ status: 200, body: '{"ok":false,"error":"internal_error"}' }]);
    // Act
    const result = await fx.resultOf(await fx.send(held));
    // Assess
    expect(fx.http.slackApi.requests).toHaveLength(2);
    expect(fx.http.slackApi.posted).toHaveLength(1);
    expect(outcomes(result)).toEqual([
      expect.objectContaining({ channel: 'slack', outcome: 'delivered', attempts: 2 }),
    ]);
  });

  it('keeps the bot token out of logs and step results', async () => {
    // Prepare: a wrong token at Slack's stand-in is answered invalid_auth
    fx.http.slackApi.script([], { status: 200, body: '{"ok":false,"error":"invalid_auth"}' });
    // Act
    await fx.resultOf(await fx.send(held));
    // Assess
    const text = [...fx.lines, ...fx.results.map((m) => m.Body ?? '')].join('\n');
    expect(text).toContain('invalid_auth');
    expect(text).not.toContain(SECRETS.slackBotToken);
  });
});
