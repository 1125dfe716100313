import { GetFindingsCommand } from '@aws-sdk/client-securityhub';
import { DlqAttribute } from '@ir/runtime';
import { queueDepth, receiveMessages } from '@ir/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { responseFindingId } from '../../src/channels/security-hub.js';
import { SECRETS, type NotifierFixture, startNotifier } from './notifier-fixture.js';
import { verifyAsDocumented } from './http-receivers.js';

type Outcome = {
  channel: string;
  outcome: string;
  attempts: number;
  fallbackFor?: string;
  fallbackTo?: string;
  error?: string;
};

const approval = {
  stepId: 'isolate-1',
  action: 'contain.ec2-instance',
  reason: 'instance is tagged protected',
  approveCommand: 'irctl approve inc-x isolate-1',
};
const instance = {
  kind: 'ec2-instance' as const,
  instanceId: 'i-0abc1234def567890',
  tags: {},
  networkInterfaces: [],
};

describe('notifier service (real receivers, SNS and Security Hub on the emulator)', () => {
  let fx: NotifierFixture;
  beforeAll(async () => {
    fx = await startNotifier();
  });
  afterAll(async () => {
    await fx?.stop();
  });
  beforeEach(() => fx.reset());

  async function securityHubFinding(incidentId: string) {
    const output = await fx.securityHub.send(new GetFindingsCommand({ MaxResults: 100 }));
    return output.Findings?.find((finding) => finding.Id === responseFindingId(incidentId));
  }

  it('delivers a CRITICAL opened notification on all seven channels in their documented shapes', async () => {
    // Prepare
    const params = {
      stage: 'opened' as const,
      severityBand: 'CRITICAL' as const,
      summary: 'Backdoor:EC2/C&CActivity on a web server',
      resource: instance,
      actionsTaken: ['Snapshots of 2 volumes started'],
      pendingApprovals: [approval],
    };
    // Act
    const command = await fx.send(params);
    const result = await fx.resultOf(command);
    // Assess: the step result
    expect(result.type).toBe('step.succeeded');
    if (result.type !== 'step.succeeded') return;
    expect([...(result.payload.result.delivered as string[])].sort()).toEqual([
      'email',
      'jira',
      'pagerduty',
      'securityhub',
      'slack',
      'sns',
      'webhook',
    ]);
    const ticketKey = result.payload.result.ticketKey as string;
    expect(ticketKey).toMatch(/^SEC-\d+$/);
    // Jira: one issue labelled with the incident
    expect(fx.http.issues.get(ticketKey)?.labels).toContain(`ir-incident-${command.incidentId}`);
    // Slack: a Block Kit message naming the ticket and how to approve
    const slack = fx.http.slack.accepted();
    expect(slack).toHaveLength(1);
    expect(slack[0]?.raw).toContain(ticketKey);
    expect(slack[0]?.raw).toContain('irctl approve inc-x isolate-1');
    // PagerDuty: a trigger deduplicated on the incident id
    const pd = fx.http.pagerDuty.accepted()[0]?.body as Record<string, unknown>;
    expect(pd).toMatchObject({
      event_action: 'trigger',
      dedup_key: command.incidentId,
      payload: { severity: 'critical' },
    });
    // Email: text and HTML to both recipients
    expect(fx.smtp.mails).toHaveLength(1);
    expect(fx.smtp.mails[0]?.to).toEqual(['soc@example.com', 'oncall@example.com']);
    expect(fx.smtp.mails[0]?.raw).toContain('text/plain');
    expect(fx.smtp.mails[0]?.raw).toContain('text/html');
    // Webhook: signed (the receiver verified it as documented), with a stable delivery id
    const hook = fx.http.webhook.accepted();
    expect(hook).toHaveLength(1);
    expect(hook[0]?.headers['x-ir-delivery-id']).toBe(command.id);
    // SNS: read back through the subscribed queue, with filterable attributes
    const [delivery] = await receiveMessages(fx.clients.sqs, fx.subscriberUrl, 1);
    const envelope = JSON.parse(delivery?.Body ?? '{}') as {
      Message: string;
      MessageAttributes: Record<string, { Value: string }>;
    };
    expect(JSON.parse(envelope.Message)).toMatchObject({
      incidentId: command.incidentId,
      stage: 'opened',
      ticketKey,
    });
    expect(envelope.MessageAttributes.stage?.Value).toBe('opened');
    expect(envelope.MessageAttributes.severityBand?.Value).toBe('CRITICAL');
    // Security Hub: the response finding, read back
    const finding = await securityHubFinding(command.incidentId);
    expect(finding?.Severity?.Label).toBe('CRITICAL');
    expect(finding?.ProductFields?.['ir/stage']).toBe('opened');
    expect(finding?.Resources?.[0]?.Id).toBe(
      'arn:aws:ec2:eu-west-1:111122223333:instance/i-0abc1234def567890',
    );
  });

  it('comments on the same Jira issue, resolves PagerDuty and updates the Security Hub finding as the incident moves on', async () => {
    // Prepare
    const base = {
      severityBand: 'CRITICAL' as const,
      summary: 'Credential exfiltration',
      resource: instance,
    };
    const opened = await fx.send({ ...base, stage: 'opened' });
    const first = await fx.resultOf(opened);
    const ticketKey = first.type === 'step.succeeded' ? (first.payload.result.ticketKey as string) : '';
    const createdAt = (await securityHubFinding(opened.incidentId))?.CreatedAt;
    fx.reset();
    // Act
    const resolved = await fx.send(
      { ...base, stage: 'resolved', ticketKey },
      { incidentId: opened.incidentId },
    );
    const result = await fx.resultOf(resolved);
    // Assess
    expect(result.type).toBe('step.succeeded');
    expect(
      fx.http.jira
        .accepted()
        .filter((r) => r.path.endsWith('/comment'))
        .map((r) => r.path),
    ).toEqual([`/rest/api/3/issue/${ticketKey}/comment`]);
    expect(fx.http.issues.get(ticketKey)?.comments).toHaveLength(1);
    expect(fx.http.issues.get(ticketKey)?.status.name).toBe('Done');
    expect(fx.http.pagerDuty.accepted()[0]?.body).toMatchObject({
      event_action: 'resolve',
      dedup_key: opened.incidentId,
    });
    const finding = await securityHubFinding(opened.incidentId);
    expect(finding?.ProductFields?.['ir/stage']).toBe('resolved');
    expect(finding?.ProductFields?.['ir/stage/opened']).toBeTruthy();
    expect(finding?.CreatedAt).toBe(createdAt);
  });

  it('finds the Jira issue by its label when a redelivered opened command carries no ticket key', async () => {
    // Prepare
    const params = {
      stage: 'opened' as const,
      severityBand: 'CRITICAL' as const,
      summary: 'Recon from a Tor node',
    };
    const first = await fx.send(params);
    await fx.resultOf(first);
    const issues = fx.http.issues.size;
    // Act
    const again = await fx.send(params, { incidentId: first.incidentId });
    const result = await fx.resultOf(again);
    // Assess
    expect(fx.http.issues.size).toBe(issues);
    expect(result.type === 'step.succeeded' && result.payload.result.ticketKey).toBe(`SEC-${issues}`);
  });

  it('routes by severity band and stage', async () => {
    // Prepare / Act
    const low = await fx.resultOf(
      await fx.send({ stage: 'contained', severityBand: 'LOW', summary: 'Port probe' }),
    );
    const high = await fx.resultOf(
      await fx.send({ stage: 'opened', severityBand: 'HIGH', summary: 'Crypto mining' }),
    );
    // Assess
    expect(low.type === 'step.succeeded' && low.payload.result.delivered).toEqual(['webhook']);
    expect(high.type === 'step.succeeded' && high.payload.result.delivered).toEqual(['slack', 'pagerduty']);
    expect(fx.http.webhook.accepted()).toHaveLength(1);
    expect(fx.http.slack.accepted()).toHaveLength(1);
    expect(fx.http.pagerDuty.accepted()).toHaveLength(1);
    expect(fx.http.jira.requests).toHaveLength(0);
    expect(fx.smtp.mails).toHaveLength(0);
  });

  it('retries a receiver answering 500 and delivers once when it answers 200', async () => {
    // Prepare
    fx.http.slack.script([{ status: 500 }]);
    // Act
    const result = await fx.resultOf(
      await fx.send({ stage: 'opened', severityBand: 'MEDIUM', summary: 'Unusual API call' }),
    );
    // Assess
    expect(fx.http.slack.requests.map((r) => r.status)).toEqual([500, 200]);
    expect(fx.http.slack.accepted()).toHaveLength(1);
    const channels = result.type === 'step.succeeded' ? (result.payload.result.channels as Outcome[]) : [];
    expect(channels).toEqual([
      expect.objectContaining({ channel: 'slack', outcome: 'delivered', attempts: 2 }),
    ]);
    expect(fx.smtp.mails).toHaveLength(0);
  });

  it('waits as long as Retry-After says after a 429', async () => {
    // Prepare
    fx.http.pagerDuty.script([{ status: 429, headers: { 'retry-after': '2' } }]);
    // Act
    const result = await fx.resultOf(
      await fx.send({ stage: 'opened', severityBand: 'HIGH', summary: 'Brute force' }),
    );
    // Assess
    const [throttled, accepted] = fx.http.pagerDuty.requests;
    expect([throttled?.status, accepted?.status]).toEqual([429, 202]);
    expect((accepted?.at ?? 0) - (throttled?.at ?? 0)).toBeGreaterThanOrEqual(1_900);
    expect(result.type).toBe('step.succeeded');
  });

  it('hands a channel that keeps failing to its fallback, and the result says so', async () => {
    // Prepare
    fx.http.slack.script([], { status: 503 });
    const before = await metricValue('ir_notifications_total', { channel: 'slack', outcome: 'failed' });
    // Act
    const result = await fx.resultOf(
      await fx.send({
        stage: 'approval-needed',
        severityBand: 'MEDIUM',
        summary: 'S3 bucket made public',
        pendingApprovals: [approval],
      }),
    );
    // Assess
    expect(result.type).toBe('step.succeeded');
    const channels = result.type === 'step.succeeded' ? (result.payload.result.channels as Outcome[]) : [];
    expect(channels).toEqual([
      expect.objectContaining({ channel: 'slack', outcome: 'failed', attempts: 3, fallbackTo: 'email' }),
      expect.objectContaining({ channel: 'email', outcome: 'delivered', fallbackFor: 'slack' }),
    ]);
    expect(channels[0]?.error).toContain('HTTP 503');
    expect(fx.http.slack.requests).toHaveLength(3);
    expect(fx.smtp.mails).toHaveLength(1);
    expect(await metricValue('ir_notifications_total', { channel: 'slack', outcome: 'failed' })).toBe(
      before + 1,
    );
  });

  it('reports step.failed with every reason when no channel delivered', async () => {
    // Prepare
    fx.http.slack.script([], { status: 403, body: 'invalid_token' });
    fx.smtp.refuseWith(554);
    // Act
    const result = await fx.resultOf(
      await fx.send({ stage: 'step-failed', severityBand: 'LOW', summary: 'Isolation failed' }),
    );
    // Assess
    expect(result.type).toBe('step.failed');
    if (result.type !== 'step.failed') return;
    expect(result.payload.reason).toContain(
      'slack: slack: HTTP 403 (invalid_token), not retried after 1 attempt',
    );
    expect(result.payload.reason).toContain('email (fallback for slack): email: SMTP 554');
    expect(fx.http.slack.requests).toHaveLength(1);
  });

  it('sends nothing in dry-run and lists what it would send', async () => {
    // Prepare
    const subscriberDepth = await queueDepth(fx.clients.sqs, fx.subscriberUrl);
    // Act
    const command = await fx.send(
      { stage: 'opened', severityBand: 'CRITICAL', summary: 'Dry run' },
      { dryRun: true },
    );
    const result = await fx.resultOf(command);
    // Assess
    expect(result.type === 'step.succeeded' && result.payload.result).toMatchObject({
      dryRun: true,
      wouldNotify: ['jira', 'slack', 'pagerduty', 'email', 'sns', 'webhook', 'securityhub'],
    });
    expect(result.dryRun).toBe(true);
    for (const receiver of [fx.http.slack, fx.http.pagerDuty, fx.http.jira, fx.http.webhook])
      expect(receiver.requests).toHaveLength(0);
    expect(fx.smtp.mails).toHaveLength(0);
    expect(await queueDepth(fx.clients.sqs, fx.subscriberUrl)).toBe(subscriberDepth);
    expect(await securityHubFinding(command.incidentId)).toBeUndefined();
  });

  it('dead-letters a malformed notify command at once, naming the field', async () => {
    // Prepare
    const command = await fx.send({ stage: 'opened', severityBand: 'HIGH', summary: 'x' }, { dryRun: true });
    await fx.resultOf(command);
    const bad = {
      ...command,
      id: crypto.randomUUID(),
      payload: { ...command.payload, params: { stage: 'opened', severityBand: 'SEVERE', summary: 'x' } },
    };
    // Act
    const { SendMessageCommand } = await import('@aws-sdk/client-sqs');
    await fx.clients.sqs.send(
      new SendMessageCommand({ QueueUrl: fx.system.queues.notifier.url, MessageBody: JSON.stringify(bad) }),
    );
    const [dead] = await receiveMessages(fx.clients.sqs, fx.system.queues.notifier.dlqUrl, 1);
    // Assess
    expect(dead?.MessageAttributes?.[DlqAttribute.reason]?.StringValue).toBe('schema');
    expect(dead?.MessageAttributes?.[DlqAttribute.detail]?.StringValue).toContain('severityBand');
  });

  it('signs webhooks so the documented check passes, and fails with a wrong secret', async () => {
    // Prepare / Act
    await fx.resultOf(await fx.send({ stage: 'contained', severityBand: 'LOW', summary: 'Signed' }));
    const [request] = fx.http.webhook.requests;
    const now = Math.floor(Date.now() / 1000);
    // Assess
    expect(request?.status).toBe(204);
    expect(verifyAsDocumented(SECRETS.webhookSecret, request?.raw ?? '', request?.headers ?? {}, now)).toBe(
      true,
    );
    expect(verifyAsDocumented('not-the-secret-at-all', request?.raw ?? '', request?.headers ?? {}, now)).toBe(
      false,
    );
    expect(verifyAsDocumented(SECRETS.webhookSecret, `${request?.raw} `, request?.headers ?? {}, now)).toBe(
      false,
    );
  });

  it('keeps every secret out of logs and step results, even when a receiver echoes one', async () => {
    // Prepare: Slack answers 404 with its own URL in the body, as a misbehaving proxy might
    fx.http.slack.script([], { status: 404, body: `no_service ${SECRETS.slackPath}` });
    // Act
    await fx.resultOf(await fx.send({ stage: 'opened', severityBand: 'MEDIUM', summary: 'Echo' }));
    // Assess: every line logged and every result sent by this service so far
    const text = [...fx.lines, ...fx.results.map((m) => m.Body ?? '')].join('\n');
    expect(fx.lines.length).toBeGreaterThan(20);
    const basic = Buffer.from(`${SECRETS.jiraEmail}:${SECRETS.jiraToken}`).toString('base64');
    for (const secret of [
      SECRETS.slackPath,
      'slackSecretToken4242',
      SECRETS.pagerDutyRoutingKey,
      SECRETS.jiraToken,
      basic,
      SECRETS.webhookSecret,
      SECRETS.webhookQueryToken,
      SECRETS.smtpPassword,
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('no_service [redacted]');
  });

  async function metricValue(name: string, labels: Record<string, string>): Promise<number> {
    const metric = fx.registry.getSingleMetric(name);
    const values = (await metric?.get())?.values ?? [];
    return values.find((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val))?.value ?? 0;
  }
});
