import { describe, expect, it } from 'vitest';
import { runIrctl } from '../../src/cli.js';
import { ExitCode } from '../../src/errors.js';
import { fakeApi } from '../support/fake-api.js';

const env = { IR_API_URL: 'http://127.0.0.1:9', IR_API_TOKEN: 'unit-test-token-0123456789' };
const NOW = new Date('2026-06-01T12:00:00.000Z');

/** A proposal as the coordinator answers it. */
const proposal = {
  incidentId: 'inc-1',
  rule: {
    name: 'fp-inc-1',
    reason:
      'Incident inc-1 was resolved as false-positive (reconnaissance) by Rita at 2026-05-30T11:00:00.000Z',
    expiresAt: '2026-07-01T12:00:00.000Z',
    match: {
      findingTypes: ['Backdoor:EC2/C&CActivity.B\\!DNS'],
      accounts: ['123456789012'],
      resources: ['ec2-instance:i-0abc'],
    },
  },
  history: {
    matched: 3,
    incidents: 2,
    findings: 40,
    unreadable: 0,
    capped: true,
    scanLimit: 500,
    examples: [
      {
        incidentId: 'inc-1',
        source: 'native',
        findingId: 'f-1',
        type: 'Backdoor:EC2/C&CActivity.B!DNS',
        accountId: '123456789012',
        updatedAt: '2026-05-30T10:00:00.000Z',
      },
    ],
  },
};

const stored = {
  ...proposal.rule,
  expiresAt: '2026-06-08T12:00:00.000Z',
  createdAt: NOW.toISOString(),
  sourceIncidentId: 'inc-1',
  author: { by: 'Alice Approver', actor: { issuer: 'https://idp.example.test', subject: 'op-alice' } },
};

const routes = (method: string, path: string) => {
  if (method === 'POST' && path === '/incidents/inc-1/suppression-proposal')
    return { status: 200, body: proposal };
  if (method === 'POST' && path === '/suppressions') return { status: 201, body: stored };
  return undefined;
};

describe('irctl suppress', () => {
  it('prints the proposal as rules-file YAML with its match count, and writes nothing without --apply', async () => {
    // Prepare
    const api = fakeApi(routes);
    // Act
    const result = await runIrctl(
      ['suppress', '--from-incident', 'inc-1', '--omit', 'accounts,resourceTags', '--scan-limit', '500'],
      env,
      { fetch: api.fetch, now: () => NOW },
    );
    // Assess
    expect(result.code, result.stderr).toBe(ExitCode.ok);
    expect(result.stdout).toContain(
      [
        'rules:',
        '  - name: "fp-inc-1"',
        `    reason: "${proposal.rule.reason}"`,
        '    expiresAt: "2026-07-01T12:00:00.000Z"',
        '    match:',
        '      findingTypes: ["Backdoor:EC2/C&CActivity.B\\\\!DNS"]',
      ].join('\n'),
    );
    expect(result.stdout).toContain(
      'would have matched 3 finding(s) in 2 incident(s) (of 40 stored finding(s) read',
    );
    expect(result.stdout).toContain('lower bound');
    expect(api.requests.map((r) => [r.method, r.path, r.body])).toEqual([
      [
        'POST',
        '/incidents/inc-1/suppression-proposal',
        { omit: ['accounts', 'resourceTags'], scanLimit: 500 },
      ],
    ]);
  });

  it('writes the proposed rule with --apply, with the expiry asked for and the incident it came from', async () => {
    // Prepare
    const api = fakeApi(routes);
    // Act
    const result = await runIrctl(
      ['suppress', '--from-incident', 'inc-1', '--apply', '--expires-in', '7d', '--reason', 'lab scanner'],
      env,
      { fetch: api.fetch, now: () => NOW },
    );
    // Assess
    expect(result.code, result.stderr).toBe(ExitCode.ok);
    expect(api.requests[1]).toMatchObject({
      method: 'POST',
      path: '/suppressions',
      body: {
        name: 'fp-inc-1',
        reason: 'lab scanner',
        expiresAt: '2026-06-08T12:00:00.000Z',
        match: proposal.rule.match,
        sourceIncidentId: 'inc-1',
      },
    });
    expect(api.requests[1]?.body).not.toHaveProperty('author');
    expect(result.stdout).toContain('written: rule fp-inc-1 by Alice Approver');
  });

  it('refuses a bad expiry, an unknown criterion and a missing incident before calling the API (exit 2)', async () => {
    // Prepare
    const api = fakeApi(routes);
    const argvs = [
      ['suppress', '--from-incident', 'inc-1', '--apply', '--expires-in', '7w'],
      ['suppress', '--from-incident', 'inc-1', '--apply', '--expires-in', '7d', '--expires-at', '2026-06-05'],
      ['suppress', '--from-incident', 'inc-1', '--omit', 'severity'],
      ['suppress'],
    ];
    // Act
    const results = await Promise.all(
      argvs.map((argv) => runIrctl(argv, env, { fetch: api.fetch, now: () => NOW })),
    );
    // Assess
    expect(results.map((r) => r.code)).toEqual(argvs.map(() => ExitCode.usage));
    expect(results[0]?.stderr).toContain('--expires-in must be like 30d');
    expect(api.requests).toEqual([]);
  });

  it('exits 4 when the coordinator refuses the proposal (incident not a false positive)', async () => {
    // Prepare
    const api = fakeApi(() => ({
      status: 409,
      body: { error: 'conflict', message: 'incident inc-2 is open; a suppression is proposed only from …' },
    }));
    // Act
    const result = await runIrctl(['suppress', '--from-incident', 'inc-2'], env, { fetch: api.fetch });
    // Assess
    expect(result.code).toBe(ExitCode.conflict);
    expect(result.stderr).toContain('inc-2 is open');
  });
});
