import { describe, expect, it } from 'vitest';
import { ChannelName } from '../../src/channels/channel.js';
import { channelsFor, parseRoutes } from '../../src/routing/routes.js';

const all = [...ChannelName];
const base = `
routes:
  - bands: [HIGH, CRITICAL]
    channels: [pagerduty, slack]
  - stages: [opened, approval-needed, step-failed]
    channels: [slack]
  - bands: [LOW]
    stages: [resolved]
    channels: [email]
fallbacks:
  pagerduty: sns
`;

describe('parseRoutes', () => {
  it('accepts a valid file and routes per band and stage', () => {
    // Prepare / Act
    const routing = parseRoutes(base, all);
    // Assess
    expect(channelsFor(routing, 'CRITICAL', 'contained')).toEqual(['pagerduty', 'slack']);
    expect(channelsFor(routing, 'MEDIUM', 'opened')).toEqual(['slack']);
    expect(channelsFor(routing, 'MEDIUM', 'contained')).toEqual([]);
    expect(channelsFor(routing, 'LOW', 'resolved')).toEqual(['email']);
    expect(routing.fallbacks).toEqual({ pagerduty: 'sns' });
  });

  it('names the path of an unknown channel, band or key', () => {
    // Prepare
    const text = `
routes:
  - channels: [slack]
  - bands: [SEVERE]
    channels: [teams]
    colour: red
`;
    // Act / Assess
    expect(() => parseRoutes(text, all)).toThrow(/routes\[1\]\.bands\[0\]/);
    expect(() => parseRoutes(text, all)).toThrow(/routes\[1\]\.channels\[0\]/);
    expect(() => parseRoutes(text, all)).toThrow(/colour/);
  });

  it('refuses a channel the environment does not configure, naming where it is used', () => {
    // Prepare / Act / Assess
    expect(() => parseRoutes(base, ['slack', 'email', 'sns'])).toThrow(
      'routes[0].channels[0]: channel "pagerduty" is not configured in the environment',
    );
  });

  it('refuses fallback cycles', () => {
    // Prepare
    const text = `${base.replace('fallbacks:\n  pagerduty: sns', '')}fallbacks:\n  slack: email\n  email: slack\n`;
    // Act / Assess
    expect(() => parseRoutes(text, all)).toThrow('fallbacks.slack: fallback chain returns to "slack"');
  });

  it('refuses a file that would send an approval request or a failed step nowhere', () => {
    // Prepare
    const text = 'routes:\n  - bands: [HIGH, CRITICAL]\n    channels: [slack]\n';
    // Act / Assess
    expect(() => parseRoutes(text, all)).toThrow(
      'no route sends LOW "approval-needed" notifications anywhere',
    );
  });

  it('names the source when the YAML does not parse', () => {
    // Prepare / Act / Assess
    expect(() => parseRoutes('routes: [', all, 'IR_NOTIFY_ROUTES (/etc/routes.yaml)')).toThrow(
      /^IR_NOTIFY_ROUTES \(\/etc\/routes\.yaml\): not valid YAML/,
    );
  });
});

describe('notify-routes.example.yaml', () => {
  it('is a valid routing file', async () => {
    // Prepare
    const { readFile } = await import('node:fs/promises');
    const text = await readFile(new URL('../../notify-routes.example.yaml', import.meta.url), 'utf8');
    // Act
    const routing = parseRoutes(text, all);
    // Assess
    expect(channelsFor(routing, 'CRITICAL', 'opened')).toEqual([
      'securityhub',
      'jira',
      'pagerduty',
      'slack',
      'email',
      'webhook',
    ]);
    expect(channelsFor(routing, 'LOW', 'contained')).toEqual(['securityhub', 'jira', 'slack']);
  });
});
