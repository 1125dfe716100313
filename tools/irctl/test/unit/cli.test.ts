import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findingTypes, guardDutyEventBridgeFinding } from '@ir/testkit';
import { describe, expect, it } from 'vitest';
import { COMMANDS, runIrctl } from '../../src/cli.js';
import type { AwsClients } from '../../src/command.js';
import { ExitCode } from '../../src/errors.js';
import { fakeApi, incidentSummary, incidentView } from '../support/fake-api.js';

const TOKEN = 'unit-test-token-0123456789';
const env = { IR_API_URL: 'http://127.0.0.1:9', IR_API_TOKEN: TOKEN };

/** AWS clients that must not be used: a command that reaches for them fails the test's exit code. */
const noAws: AwsClients = {
  sqs: () => {
    throw new Error('no AWS in this test');
  },
  s3: () => {
    throw new Error('no AWS in this test');
  },
  kms: () => {
    throw new Error('no AWS in this test');
  },
};

describe('irctl help', () => {
  it('prints help and exits 0 for every command, with its usage line and the common options', async () => {
    // Prepare
    const argvs = COMMANDS.map((spec) => [...spec.name.split(' '), '--help']);
    // Act
    const results = await Promise.all(argvs.map((argv) => runIrctl(argv, {})));
    // Assess
    for (const [index, result] of results.entries()) {
      expect(result.code).toBe(ExitCode.ok);
      expect(result.stdout).toContain(`Usage: irctl ${COMMANDS[index]?.name}`);
      expect(result.stdout).toContain('--json');
      expect(result.stderr).toBe('');
    }
  });

  it('prints the command list for --help and for no arguments (exit 0 and 2), and the dlq group', async () => {
    // Prepare
    const cases = [['--help'], [], ['help', 'dlq'], ['dlq']];
    // Act
    const [help, none, group, bareGroup] = await Promise.all(cases.map((argv) => runIrctl(argv, {})));
    // Assess
    expect(help?.code).toBe(ExitCode.ok);
    expect(help?.stdout).toContain('dlq redrive');
    expect(none?.code).toBe(ExitCode.usage);
    expect(group?.stdout).toContain('Usage: irctl dlq <list|redrive>');
    expect(bareGroup?.code).toBe(ExitCode.usage);
  });

  it('refuses an unknown command with exit 2', async () => {
    // Prepare
    const argv = ['isolate', 'i-0abc'];
    // Act
    const result = await runIrctl(argv, {});
    // Assess
    expect(result.code).toBe(ExitCode.usage);
    expect(result.stderr).toContain('unknown command "isolate"');
  });
});

describe('irctl configuration errors', () => {
  it('says to run irctl login when an API command has no token, and names an invalid IR_API_URL', async () => {
    // Prepare: an empty configuration directory, so there is no cached login either.
    const api = fakeApi(() => ({ status: 200, body: { incidents: [] } }));
    const config = await mkdtemp(join(tmpdir(), 'irctl-cli-'));
    // Act
    const noToken = await runIrctl(
      ['incidents'],
      { IR_API_TOKEN: '', XDG_CONFIG_HOME: config },
      { fetch: api.fetch },
    );
    const badUrl = await runIrctl(['incidents'], { ...env, IR_API_URL: 'not a url' }, { fetch: api.fetch });
    // Assess
    expect(noToken.code).toBe(ExitCode.unauthorized);
    expect(noToken.stderr).toContain('not logged in: run irctl login (or set IR_API_TOKEN, or pass --token)');
    expect(badUrl.code).toBe(ExitCode.usage);
    expect(badUrl.stderr).toContain('IR_API_URL');
    expect(api.requests).toHaveLength(0);
  });
});

describe('irctl incidents and show', () => {
  it('lists incidents as a table, sending the token and the status filter', async () => {
    // Prepare
    const api = fakeApi(() => ({
      status: 200,
      body: {
        incidents: [
          incidentSummary(),
          incidentSummary({ incidentId: 'inc-2', dryRun: true, status: 'completed' }),
        ],
      },
    }));
    // Act
    const result = await runIrctl(['incidents', '--status', 'open', '--limit', '5'], env, {
      fetch: api.fetch,
    });
    // Assess
    expect(result.code).toBe(ExitCode.ok);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^INCIDENT\s+STATUS\s+SEVERITY\s+PLAYBOOK\s+OPENED\s+DRY-RUN\s+SUMMARY$/);
    expect(lines[1]).toMatch(/^inc-1\s+open\s+HIGH\s+ec2-compromise/);
    expect(lines[2]).toMatch(/^inc-2\s+completed\s+HIGH\s+ec2-compromise\s+\S+\s+yes/);
    expect(api.requests[0]).toMatchObject({
      path: '/incidents?status=open&limit=5',
      authorization: `Bearer ${TOKEN}`,
    });
  });

  it('refuses an unknown --status before calling the API', async () => {
    // Prepare
    const api = fakeApi(() => undefined);
    // Act
    const result = await runIrctl(['incidents', '--status', 'closed'], env, { fetch: api.fetch });
    // Assess
    expect(result.code).toBe(ExitCode.usage);
    expect(api.requests).toHaveLength(0);
  });

  it('shows steps, evidence, pre-state and timeline, and the same as JSON with --json', async () => {
    // Prepare
    const view = incidentView(
      [
        {
          stepId: 'seal-evidence',
          action: 'evidence.seal',
          status: 'succeeded',
          result: { manifestKey: 'incidents/inc-1/manifests/0001.json' },
        },
        {
          stepId: 'isolate-instance:i-0abc',
          action: 'contain.ec2-instance',
          status: 'awaiting-approval',
          holdReasons: ['blast-radius'],
          preState: { enis: [{ id: 'eni-1', groups: ['sg-web'] }] },
        },
        {
          stepId: 'collect-volatile:i-0abc',
          action: 'evidence.collect-volatile',
          status: 'failed',
          failure: { reason: 'no SSM agent', errorName: 'NotManaged' },
        },
      ],
      { firstContainedAt: '2026-03-01T10:00:07.500Z' },
    );
    const api = fakeApi((method, path) =>
      method === 'GET' && path === '/incidents/inc%2F1' ? { status: 200, body: view } : undefined,
    );
    // Act
    const text = await runIrctl(['show', 'inc/1'], env, { fetch: api.fetch });
    const json = await runIrctl(['show', 'inc/1', '--json'], env, { fetch: api.fetch });
    // Assess
    expect(text.code).toBe(ExitCode.ok);
    expect(text.stdout).toContain('contained 2026-03-01T10:00:07.500Z (7.5 s after receipt)');
    expect(text.stdout).toMatch(
      /isolate-instance:i-0abc\s+contain\.ec2-instance\s+awaiting-approval\s+held: blast-radius/,
    );
    expect(text.stdout).toContain('NotManaged: no SSM agent');
    expect(text.stdout).toContain('seal-evidence: manifestKey=incidents/inc-1/manifests/0001.json');
    expect(text.stdout).toContain('isolate-instance:i-0abc: enis=[{"id":"eni-1","groups":["sg-web"]}]');
    expect(text.stdout).toMatch(/2026-03-01T10:00:01.000Z\s+incident-opened/);
    expect(JSON.parse(json.stdout)).toMatchObject({ incident: { incidentId: 'inc-1' }, steps: view.steps });
  });
});

describe('irctl exit codes for API answers', () => {
  it.each([
    [401, ExitCode.unauthorized],
    [404, ExitCode.notFound],
    [409, ExitCode.conflict],
    [400, ExitCode.usage],
    [503, ExitCode.unavailable],
  ])('maps HTTP %i to exit %i and never prints the token', async (status, code) => {
    // Prepare
    const api = fakeApi(() => ({ status, body: { error: 'e', message: `answer ${status}` } }));
    // Act
    const result = await runIrctl(['approve', 'inc-1', 'isolate-instance:i-0abc'], env, { fetch: api.fetch });
    // Assess
    expect(result.code).toBe(code);
    expect(result.stderr).toContain(`HTTP ${status}`);
    expect(`${result.stdout}${result.stderr}`).not.toContain(TOKEN);
  });

  it('exits 5 when the coordinator cannot be reached, and reports errors as JSON with --json', async () => {
    // Prepare
    const unreachable = (async () => {
      throw new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:9') });
    }) as typeof fetch;
    // Act
    const result = await runIrctl(['incidents', '--json'], env, { fetch: unreachable });
    // Assess
    expect(result.code).toBe(ExitCode.unavailable);
    expect(JSON.parse(result.stderr)).toMatchObject({
      error: {
        name: 'ApiError',
        exitCode: ExitCode.unavailable,
        message: expect.stringContaining('ECONNREFUSED'),
      },
    });
  });
});

describe('irctl decisions', () => {
  it('posts approve with why (never who: the token says) to the step URL (encoded) and prints the recorded actor', async () => {
    // Prepare
    const api = fakeApi(() => ({
      status: 202,
      body: {
        accepted: true,
        messageId: 'm-1',
        type: 'approval.granted',
        actor: { issuer: 'https://idp.example.test', subject: 'op-alice', name: 'Alice Approver' },
        by: 'Alice Approver',
      },
    }));
    // Act
    const result = await runIrctl(
      ['approve', 'inc-1', 'isolate-instance:i-0abc', '--reason', 'confirmed'],
      env,
      {
        fetch: api.fetch,
      },
    );
    // Assess
    expect(result.code).toBe(ExitCode.ok);
    expect(api.requests[0]).toMatchObject({
      method: 'POST',
      path: '/incidents/inc-1/steps/isolate-instance%3Ai-0abc/approve',
      body: { reason: 'confirmed' },
    });
    expect(result.stdout).toContain('by Alice Approver: accepted (approval.granted, message m-1)');
  });

  it('with --wait reads the incident back until the rollback shows, and fails (exit 1) when a rollback step fails', async () => {
    // Prepare
    let reads = 0;
    const rollingThenDone = fakeApi((method) => {
      if (method === 'POST')
        return { status: 202, body: { accepted: true, messageId: 'm-2', type: 'rollback.requested' } };
      reads += 1;
      return { status: 200, body: incidentView([], { status: reads < 3 ? 'rolling-back' : 'rolled-back' }) };
    });
    const failedStep = {
      stepId: 'rollback:isolate',
      action: 'rollback.ec2-instance',
      status: 'failed',
      rollbackOf: 'isolate',
      failure: { reason: 'group gone', errorName: 'InvalidGroup.NotFound' },
    };
    // The first read (before the request) shows no failure yet; the rollback then fails.
    let failingReads = 0;
    const failing = fakeApi((method) => {
      if (method === 'POST')
        return { status: 202, body: { accepted: true, messageId: 'm-3', type: 'rollback.requested' } };
      failingReads += 1;
      return failingReads === 1
        ? { status: 200, body: incidentView([], { status: 'rolling-back' }) }
        : { status: 200, body: incidentView([failedStep], { status: 'needs-attention' }) };
    });
    const sleep = async () => undefined;
    // Act
    const done = await runIrctl(['rollback', 'inc-1', '--wait'], env, {
      fetch: rollingThenDone.fetch,
      sleep,
    });
    const failed = await runIrctl(['rollback', 'inc-1', '--wait'], env, { fetch: failing.fetch, sleep });
    // Assess
    expect(done.code).toBe(ExitCode.ok);
    expect(done.stdout).toContain('applied: incident rolled-back');
    expect(reads).toBe(3);
    expect(failed.code).toBe(ExitCode.failed);
    expect(failed.stderr).toContain('group gone');
  });

  it('with --wait, a rollback requested again after a failed step waits for the retry, not for the old failure', async () => {
    // Prepare: rollback:isolate failed before the request; the retry (a new step) then succeeds.
    const failedBefore = {
      stepId: 'rollback:isolate',
      action: 'rollback.ec2-instance',
      status: 'failed',
      rollbackOf: 'isolate',
      failure: { reason: 'an operator must run: aws ec2 …', errorName: 'OperatorActionRequiredError' },
    };
    const retry = {
      stepId: 'rollback:isolate:retry-1',
      action: 'rollback.ec2-instance',
      rollbackOf: 'isolate',
    };
    let reads = 0;
    const api = fakeApi((method) => {
      if (method === 'POST')
        return { status: 202, body: { accepted: true, messageId: 'm-4', type: 'rollback.requested' } };
      reads += 1;
      if (reads <= 2)
        return { status: 200, body: incidentView([failedBefore], { status: 'needs-attention' }) };
      return {
        status: 200,
        body: incidentView([failedBefore, { ...retry, status: 'succeeded' }], { status: 'rolled-back' }),
      };
    });
    // Act
    const result = await runIrctl(['rollback', 'inc-1', '--wait'], env, {
      fetch: api.fetch,
      sleep: async () => undefined,
    });
    // Assess
    expect(result.code).toBe(ExitCode.ok);
    expect(result.stdout).toContain('applied: incident rolled-back');
    expect(reads).toBe(3);
  });

  it('sends no actor: --by is ignored with a note, and $USER is never sent', async () => {
    // Prepare
    const api = fakeApi(() => ({
      status: 202,
      body: { accepted: true, messageId: 'm-5', type: 'incident.resolve-requested' },
    }));
    // Act
    const result = await runIrctl(
      ['resolve', 'inc-1', '--by', 'mallory', '--disposition', 'false-positive', '--category', 'other'],
      { IR_API_TOKEN: TOKEN, USER: 'someone' },
      { fetch: api.fetch },
    );
    // Assess
    expect(result.code).toBe(ExitCode.ok);
    expect(result.stderr).toContain('--by is ignored');
    expect(api.requests[0]?.body).toEqual({ disposition: 'false-positive', category: 'other' });
    expect(JSON.stringify(api.requests)).not.toMatch(/mallory|someone/);
  });

  it('refuses a resolve without a disposition or with an unknown category, before any call', async () => {
    // Prepare
    const api = fakeApi(() => ({ status: 500, body: {} }));
    // Act
    const missing = await runIrctl(['resolve', 'inc-1', '--category', 'malware'], env, { fetch: api.fetch });
    const unknown = await runIrctl(
      ['resolve', 'inc-1', '--disposition', 'true-positive', '--category', 'hackers'],
      env,
      { fetch: api.fetch },
    );
    // Assess
    expect(missing.code).toBe(ExitCode.usage);
    expect(missing.stderr).toContain('resolve needs --disposition, one of: true-positive,');
    expect(unknown.code).toBe(ExitCode.usage);
    expect(unknown.stderr).toContain('resolve needs --category, one of: credential-compromise,');
    expect(api.requests).toHaveLength(0);
  });
});

describe('irctl submit and plan input checks', () => {
  it('refuses a malformed finding with exit 2, naming the field, before any AWS call', async () => {
    // Prepare
    const malformed = '{"detail-type":"GuardDuty Finding","source":"aws.guardduty","detail":{"id":42}}';
    // Act
    const result = await runIrctl(['submit', '-'], env, { stdin: malformed, aws: noAws });
    // Assess
    expect(result.code).toBe(ExitCode.usage);
    expect(result.stderr).toContain('irctl submit: standard input is not a valid finding (schema)');
    expect(result.stderr).toContain('detail.id: Invalid input: expected string, received number');
  });

  it('refuses a file that is not JSON, or missing, with exit 2', async () => {
    // Prepare
    const path = join(tmpdir(), `irctl-not-json-${process.pid}.json`);
    await writeFile(path, 'GuardDuty said hello');
    // Act
    const notJson = await runIrctl(['submit', path], env, { aws: noAws });
    const missing = await runIrctl(['submit', `${path}.missing`], env, { aws: noAws });
    // Assess
    expect(notJson.code).toBe(ExitCode.usage);
    expect(notJson.stderr).toContain('is not JSON');
    expect(missing.code).toBe(ExitCode.usage);
    expect(missing.stderr).toContain('cannot read');
  });

  it('plans a finding with the shipped playbooks, touching neither AWS nor the API', async () => {
    // Prepare
    const finding = guardDutyEventBridgeFinding({
      type: findingTypes.c2Dns,
      severity: 8,
      resource: {
        kind: 'instance',
        instanceId: 'i-0123456789abcdef0',
        enis: [{ networkInterfaceId: 'eni-1', subnetId: 'subnet-1', vpcId: 'vpc-1' }],
      },
    });
    const api = fakeApi(() => undefined);
    // Act
    const text = await runIrctl(
      ['plan', '-'],
      {},
      { stdin: JSON.stringify(finding), aws: noAws, fetch: api.fetch },
    );
    const json = await runIrctl(
      ['plan', '-', '--json', '--severity', 'CRITICAL'],
      {},
      { stdin: JSON.stringify(finding), aws: noAws },
    );
    // Assess
    expect(text.code).toBe(ExitCode.ok);
    expect(text.stdout).toContain('playbook ec2-compromise, severity HIGH');
    expect(text.stdout).toMatch(/isolate-instance:i-0123456789abcdef0\s+contain\.ec2-instance\s+isolator/);
    const parsed = JSON.parse(json.stdout) as {
      plans: { plan: { severityBand: string; steps: { action: string }[] } }[];
    };
    expect(parsed.plans[0]?.plan.severityBand).toBe('CRITICAL');
    expect(parsed.plans[0]?.plan.steps.map((step) => step.action)).toContain('evidence.seal');
    expect(api.requests).toHaveLength(0);
  });

  it('refuses an unknown --playbook and --severity with exit 2', async () => {
    // Prepare
    const finding = JSON.stringify(guardDutyEventBridgeFinding({ severity: 5 }));
    // Act
    const playbook = await runIrctl(['plan', '-', '--playbook', 'nope'], {}, { stdin: finding, aws: noAws });
    const severity = await runIrctl(['plan', '-', '--severity', 'huge'], {}, { stdin: finding, aws: noAws });
    // Assess
    expect(playbook.code).toBe(ExitCode.usage);
    expect(playbook.stderr).toContain('no playbook "nope"; loaded: ');
    expect(severity.code).toBe(ExitCode.usage);
  });
});
