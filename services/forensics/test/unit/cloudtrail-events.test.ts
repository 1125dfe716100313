import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { describe, expect, it } from 'vitest';
import { recentEvents } from '../../src/iam/cloudtrail-events.js';

// CloudTrail LookupEvents is not implemented by moto: these tests run on recorded responses.
const event = (id: string, name: string) => ({
  EventId: id,
  EventName: name,
  EventTime: new Date('2026-01-01T10:00:00Z'),
  Username: 'alice',
  CloudTrailEvent: JSON.stringify({ eventID: id, eventName: name, sourceIPAddress: '198.51.100.7' }),
});
const recordedPages = [
  { Events: [event('e1', 'ListBuckets'), event('e2', 'GetObject')], NextToken: 't2' },
  { Events: [event('e3', 'CreateAccessKey')], NextToken: 't3' },
  { Events: [event('e4', 'ConsoleLogin')] },
];

function recordedClient(pages: Array<Record<string, unknown> | Error>) {
  const inputs: Array<Record<string, unknown>> = [];
  const client = {
    async send(command: { input: Record<string, unknown> }) {
      inputs.push(command.input);
      const page = pages[inputs.length - 1];
      if (!page) throw new Error('no more recorded pages');
      if (page instanceof Error) throw page;
      return page;
    },
  };
  return { client: client as unknown as CloudTrailClient, inputs };
}

const now = new Date('2026-01-02T00:00:00Z');
const attribute = { key: 'Username', value: 'alice' } as const;

describe('recentEvents', () => {
  it('follows NextToken through every page within the window', async () => {
    // Prepare
    const { client, inputs } = recordedClient(recordedPages);
    // Act
    const result = await recentEvents(client, attribute, { now, lookbackHours: 24, maxPages: 10 });
    // Assess
    expect(result.events.map((e) => e.EventId)).toEqual(['e1', 'e2', 'e3', 'e4']);
    expect(result).toMatchObject({ available: true, pages: 3, truncated: false });
    expect(inputs.map((i) => i.NextToken)).toEqual([undefined, 't2', 't3']);
    expect(inputs[0]).toMatchObject({
      StartTime: new Date('2026-01-01T00:00:00Z'),
      EndTime: now,
      LookupAttributes: [{ AttributeKey: 'Username', AttributeValue: 'alice' }],
    });
    expect(result.events[0]?.CloudTrailEvent).toMatchObject({ sourceIPAddress: '198.51.100.7' });
  });

  it('stops at the page cap and says the result is truncated', async () => {
    // Prepare
    const { client, inputs } = recordedClient(recordedPages);
    // Act
    const result = await recentEvents(client, attribute, { now, lookbackHours: 1, maxPages: 2 });
    // Assess
    expect(inputs).toHaveLength(2);
    expect(result).toMatchObject({
      pages: 2,
      truncated: true,
      window: { start: '2026-01-01T23:00:00.000Z' },
    });
  });

  it('degrades to "CloudTrail not available" when the call is refused', async () => {
    // Prepare
    const denied = Object.assign(new Error('not authorized to perform cloudtrail:LookupEvents'), {
      name: 'AccessDeniedException',
    });
    const { client } = recordedClient([denied]);
    // Act
    const result = await recentEvents(client, attribute, { now, lookbackHours: 24, maxPages: 10 });
    // Assess
    expect(result.available).toBe(false);
    expect(result.reason).toMatch(/^CloudTrail not available: AccessDeniedException/);
    expect(result.events).toEqual([]);
  });

  it('keeps the pages already read when a later page fails', async () => {
    // Prepare
    const { client } = recordedClient([recordedPages[0] ?? {}, new Error('connection reset')]);
    // Act
    const result = await recentEvents(client, attribute, { now, lookbackHours: 24, maxPages: 10 });
    // Assess
    expect(result).toMatchObject({ available: true, truncated: true, pages: 1 });
    expect(result.events).toHaveLength(2);
    expect(result.reason).toContain('connection reset');
  });

  it('lets throttling propagate so the step is retried', async () => {
    // Prepare
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    const { client } = recordedClient([throttled]);
    // Act
    const call = recentEvents(client, attribute, { now, lookbackHours: 24, maxPages: 10 });
    // Assess
    await expect(call).rejects.toThrow('Rate exceeded');
  });
});
