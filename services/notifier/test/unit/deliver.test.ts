import { createLogger } from '@ir/runtime';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { Channel, ChannelName } from '../../src/channels/channel.js';
import { deliver } from '../../src/delivery/deliver.js';
import { DeliveryError } from '../../src/errors.js';
import type { Notification } from '../../src/format/notification.js';
import { createNotifierMetrics } from '../../src/metrics.js';
import type { RoutingFile } from '../../src/routing/routes.js';

const notification: Notification = {
  deliveryId: '6f1c2b7e-2a4d-4c1e-9b8a-0d3e5f7a9c11',
  incidentId: 'inc-1',
  correlationId: 'corr-1',
  stepId: 'notify-1',
  stage: 'opened',
  severityBand: 'HIGH',
  summary: 'Test',
  target: { accountId: '111122223333', region: 'eu-west-1' },
  resource: undefined,
  actionsTaken: [],
  pendingApprovals: [],
  details: {},
  ticketKey: undefined,
  dryRun: false,
  sentAt: '2026-01-01T00:00:00.000Z',
};

/** Channels that record what they were sent and fail (permanently) when told to. */
function fakeChannels(failing: ChannelName[], ticketFrom?: ChannelName) {
  const sent: { channel: ChannelName; ticketKey: string | undefined }[] = [];
  const channels = new Map<ChannelName, Channel>();
  for (const name of ['slack', 'pagerduty', 'email', 'sns', 'jira'] as const) {
    channels.set(name, {
      name,
      async send(n) {
        sent.push({ channel: name, ticketKey: n.ticketKey });
        if (failing.includes(name))
          throw new DeliveryError(name, `${name}: HTTP 403`, { retryable: false, status: 403 });
        return { detail: { ok: true }, ...(name === ticketFrom ? { ticketKey: 'SEC-9' } : {}) };
      },
    });
  }
  return { channels, sent };
}

function run(
  routed: ChannelName[],
  fallbacks: RoutingFile['fallbacks'],
  fake: ReturnType<typeof fakeChannels>,
) {
  return deliver(
    notification,
    routed,
    Date.now() + 10_000,
    new AbortController().signal,
    {
      channels: fake.channels,
      routing: { routes: [{ channels: routed }], fallbacks },
      policy: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2, attemptTimeoutMs: 1_000 },
      metrics: createNotifierMetrics(new Registry()),
      scrub: (text) => text,
    },
    createLogger({ service: 'test', level: 'silent' }),
  );
}

describe('deliver', () => {
  it('sends a shared fallback once when two channels fail over to it', async () => {
    // Prepare
    const fake = fakeChannels(['slack', 'pagerduty']);
    // Act
    const report = await run(['slack', 'pagerduty'], { slack: 'email', pagerduty: 'email' }, fake);
    // Assess
    expect(fake.sent.filter((s) => s.channel === 'email')).toHaveLength(1);
    expect(report.outcomes.map((o) => [o.channel, o.outcome, o.fallbackTo ?? o.fallbackFor])).toEqual([
      ['slack', 'failed', 'email'],
      ['pagerduty', 'failed', 'email'],
      ['email', 'delivered', 'slack'],
    ]);
  });

  it('does not resend to a fallback that is routed anyway, and follows a fallback chain', async () => {
    // Prepare
    const fake = fakeChannels(['slack', 'email']);
    // Act
    const report = await run(['slack', 'email'], { slack: 'email', email: 'sns' }, fake);
    // Assess
    expect(fake.sent.map((s) => s.channel).sort()).toEqual(['email', 'slack', 'sns']);
    expect(report.outcomes.find((o) => o.channel === 'sns')).toMatchObject({
      outcome: 'delivered',
      fallbackFor: 'email',
    });
  });

  it('delivers to Jira first so every other channel carries the ticket key', async () => {
    // Prepare
    const fake = fakeChannels([], 'jira');
    // Act
    const report = await run(['slack', 'jira', 'sns'], {}, fake);
    // Assess
    expect(fake.sent[0]).toEqual({ channel: 'jira', ticketKey: undefined });
    expect(fake.sent.slice(1).map((s) => s.ticketKey)).toEqual(['SEC-9', 'SEC-9']);
    expect(report.ticketKey).toBe('SEC-9');
  });
});
