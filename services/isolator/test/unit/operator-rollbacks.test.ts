import { buildStepCommand, handlerContext } from '@ir/testkit';
import type { AwsClientFactory, ParamsOf, Publishable } from '@ir/runtime';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { RecordedIngressRule } from '../../src/aws/admin-ingress-rules.js';
import {
  authorizeIngressCommand,
  shellWord,
  stopLoggingCommand,
  updateIngressDescriptionsCommand,
} from '../../src/actions/remediation/operator-commands.js';
import { permissionOf } from '../../src/actions/remediation/security-group-state.js';
import { loadConfig } from '../../src/config.js';
import { createIsolatorWorker } from '../../src/worker.js';

const now = () => new Date('2025-01-01T00:00:00.000Z');
const target = { accountId: '111122223333', region: 'eu-west-1' };

type Action = 'rollback.security-group-ingress' | 'rollback.cloudtrail-logging';
type Sent = { name: string; input: Record<string, unknown> };

/**
 * A worker whose SDK clients answer from `answers` by command name, recording every command sent. A
 * unit test has no emulator: these cases (a rule back with another description, dry-run) are about
 * what the rollbacks decide from what they read; test/integration runs them against moto.
 */
function setup(answers: Record<string, (input: Record<string, unknown>) => unknown>) {
  const published: Publishable[] = [];
  const sent: Sent[] = [];
  const send = async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
    const name = command.constructor.name;
    sent.push({ name, input: command.input });
    const answer = answers[name];
    if (!answer) throw new Error(`unexpected ${name}`);
    return answer(command.input);
  };
  const aws: AwsClientFactory = {
    client: async () => ({ send, middlewareStack: { add: () => undefined } }) as never,
    homeAccountId: async () => target.accountId,
    memberRoleArn: (accountId) => `arn:aws:iam::${accountId}:role/ir-isolator-response`,
  };
  const worker = createIsolatorWorker({
    config: loadConfig({}),
    aws,
    publisher: { publish: async (_queue, messages) => void published.push(...messages) },
    registry: new Registry(),
    now,
  });
  const run = async <T extends Action>(action: T, params: ParamsOf<T>, dryRun = false) => {
    const value = buildStepCommand(action, params, {
      incidentId: 'inc-1',
      stepId: `rollback:${action}`,
      target,
      dryRun,
      now,
    });
    await worker.handle({ value, type: action }, handlerContext());
    const answer = published.at(-1) as unknown as { type: string; payload: Record<string, unknown> };
    return answer;
  };
  return { run, sent, writes: () => sent.filter((s) => !/^(Describe|Get|List)/.test(s.name)) };
}

const ssh: RecordedIngressRule = {
  securityGroupRuleId: 'sgr-ssh',
  ipProtocol: 'tcp',
  fromPort: 22,
  toPort: 22,
  cidrIpv4: '0.0.0.0/0',
  description: "ops' ssh",
};
const everything: RecordedIngressRule = {
  securityGroupRuleId: 'sgr-all',
  ipProtocol: '-1',
  fromPort: -1,
  toPort: -1,
  cidrIpv6: '::/0',
};

/** A POSIX shell's reading of one word (unquoted, or single-quoted with `'\''` inside). */
function unquote(word: string): string {
  return word.startsWith("'") ? word.slice(1, -1).replaceAll("'\\''", "'") : word;
}

describe('operator commands', () => {
  it('quotes only what a shell would split or expand', () => {
    // Act / Assess
    expect(shellWord('sg-0abc')).toBe('sg-0abc');
    expect(shellWord('arn:aws:cloudtrail:eu-west-1:111122223333:trail/main')).toBe(
      'arn:aws:cloudtrail:eu-west-1:111122223333:trail/main',
    );
    expect(shellWord('a b')).toBe("'a b'");
    expect(unquote(shellWord("it's $HOME"))).toBe("it's $HOME");
  });

  it('authorises exactly the recorded rules, descriptions included, in the JSON the API takes', () => {
    // Act
    const command = authorizeIngressCommand('eu-west-1', 'sg-0abc', [ssh, everything]);
    const [prefix, json] = command.split(' --ip-permissions ');
    // Assess
    expect(prefix).toBe('aws ec2 authorize-security-group-ingress --region eu-west-1 --group-id sg-0abc');
    expect(JSON.parse(unquote(json ?? ''))).toEqual([permissionOf(ssh), permissionOf(everything)]);
    expect(JSON.parse(unquote(json ?? ''))[0]).toEqual({
      IpProtocol: 'tcp',
      FromPort: 22,
      ToPort: 22,
      IpRanges: [{ CidrIp: '0.0.0.0/0', Description: "ops' ssh" }],
    });
  });

  it('sets descriptions and stops a trail in its home region', () => {
    // Act / Assess
    expect(updateIngressDescriptionsCommand('eu-west-1', 'sg-0abc', [everything])).toBe(
      `aws ec2 update-security-group-rule-descriptions-ingress --region eu-west-1 --group-id sg-0abc --ip-permissions '${JSON.stringify([permissionOf(everything)])}'`,
    );
    expect(stopLoggingCommand('us-east-1', 'arn:aws:cloudtrail:us-east-1:111122223333:trail/main')).toBe(
      'aws cloudtrail stop-logging --region us-east-1 --name arn:aws:cloudtrail:us-east-1:111122223333:trail/main',
    );
  });
});

describe('rollback.security-group-ingress (verifies, never authorises)', () => {
  const preState = { groupId: 'sg-0abc', ports: [22, 3389], revoked: [ssh, everything] };
  const records = {
    'ir-record:ingress-revoked-by': 'inc-1',
    'ir-record:revoked-ingress-0': '[…]',
    Name: 'web',
  };
  const group = (rules: Record<string, unknown>[], tags: Record<string, string> = records) => ({
    DescribeSecurityGroupsCommand: () => ({
      SecurityGroups: [
        { GroupId: 'sg-0abc', Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) },
      ],
    }),
    DescribeSecurityGroupRulesCommand: () => ({ SecurityGroupRules: rules }),
  });
  const rule = (recorded: RecordedIngressRule, description = recorded.description) => ({
    SecurityGroupRuleId: `${recorded.securityGroupRuleId}-new`,
    GroupId: 'sg-0abc',
    IsEgress: false,
    IpProtocol: recorded.ipProtocol,
    FromPort: recorded.fromPort,
    ToPort: recorded.toPort,
    ...(recorded.cidrIpv4 ? { CidrIpv4: recorded.cidrIpv4 } : { CidrIpv6: recorded.cidrIpv6 }),
    ...(description === undefined ? {} : { Description: description }),
  });

  it('fails, changing nothing, with one command per kind of repair: the missing rule and the other description', async () => {
    // Prepare: SSH is back with the operator's own description; `everything` is not back.
    const { run, writes } = setup(group([rule(ssh, 'temporary')]));
    // Act
    const answer = await run('rollback.security-group-ingress', { originalStepId: 'contain', preState });
    // Assess
    expect(writes()).toEqual([]);
    expect(answer.type).toBe('step.failed');
    expect(answer.payload).toMatchObject({ errorName: 'OperatorActionRequiredError', retryable: false });
    expect(answer.payload.detail).toEqual({
      groupId: 'sg-0abc',
      problems: [
        'rule all traffic from ::/0 (sgr-all) is not back',
        `rule tcp 22-22 from 0.0.0.0/0 (sgr-ssh) is back with description "temporary", not "ops' ssh"`,
      ],
      operatorCommands: [
        authorizeIngressCommand('eu-west-1', 'sg-0abc', [everything]),
        updateIngressDescriptionsCommand('eu-west-1', 'sg-0abc', [ssh]),
      ],
    });
    expect(answer.payload.reason).toContain('account 111122223333');
    expect(answer.payload.reason).toContain('irctl rollback inc-1');
  });

  it('succeeds once every rule is back, removing only its own record tags', async () => {
    // Prepare
    const { run, writes } = setup({
      ...group([rule(ssh), rule(everything)]),
      DeleteTagsCommand: () => ({}),
    });
    // Act
    const answer = await run('rollback.security-group-ingress', { originalStepId: 'contain', preState });
    // Assess
    expect(answer.type).toBe('step.succeeded');
    expect(writes()).toEqual([
      {
        name: 'DeleteTagsCommand',
        input: {
          Resources: ['sg-0abc'],
          Tags: [{ Key: 'ir-record:ingress-revoked-by' }, { Key: 'ir-record:revoked-ingress-0' }],
          DryRun: false,
        },
      },
    ]);
  });

  it('leaves another incident’s records, and in dry-run only asks EC2 whether it could remove its own', async () => {
    // Prepare
    const other = setup(group([rule(ssh), rule(everything)], { 'ir-record:ingress-revoked-by': 'inc-2' }));
    const dry = setup({
      ...group([rule(ssh), rule(everything)]),
      DeleteTagsCommand: () => {
        throw Object.assign(new Error('Request would have succeeded'), { name: 'DryRunOperation' });
      },
    });
    // Act
    const otherAnswer = await other.run('rollback.security-group-ingress', { originalStepId: 'c', preState });
    const dryAnswer = await dry.run(
      'rollback.security-group-ingress',
      { originalStepId: 'c', preState },
      true,
    );
    // Assess
    expect(otherAnswer.type).toBe('step.succeeded');
    expect(other.writes()).toEqual([]);
    expect(dryAnswer.payload).toMatchObject({
      result: { dryRun: true, wouldChange: [expect.stringContaining('ir-record:ingress-revoked-by')] },
    });
    expect(dry.writes().map((w) => w.input.DryRun)).toEqual([true]);
  });
});

describe('rollback.cloudtrail-logging (verifies, never stops a trail)', () => {
  const arn = 'arn:aws:cloudtrail:eu-west-1:111122223333:trail/main';
  const preState = { trails: [{ arn, name: 'main', homeRegion: 'eu-west-1' }] };
  const trail = (isLogging: boolean) => ({
    GetTrailStatusCommand: () => ({ IsLogging: isLogging }),
    ListTagsCommand: () => ({
      ResourceTagList: [
        { ResourceId: arn, TagsList: [{ Key: 'ir-record:logging-started-by', Value: 'inc-1' }] },
      ],
    }),
    RemoveTagsCommand: () => ({}),
  });

  it('fails with the stop-logging command while the trail logs, and makes no call but reads', async () => {
    // Prepare
    const { run, writes } = setup(trail(true));
    // Act
    const answer = await run('rollback.cloudtrail-logging', { originalStepId: 'contain', preState });
    // Assess
    expect(writes()).toEqual([]);
    expect(answer.payload).toMatchObject({
      errorName: 'OperatorActionRequiredError',
      detail: { trails: [arn], operatorCommands: [stopLoggingCommand('eu-west-1', arn)] },
    });
  });

  it('succeeds once the trail is stopped, removing its record tag', async () => {
    // Prepare
    const { run, writes } = setup(trail(false));
    // Act
    const answer = await run('rollback.cloudtrail-logging', { originalStepId: 'contain', preState });
    // Assess
    expect(answer.payload).toMatchObject({ verified: { notLogging: [arn] } });
    expect(writes()).toEqual([
      {
        name: 'RemoveTagsCommand',
        input: { ResourceId: arn, TagsList: [{ Key: 'ir-record:logging-started-by' }] },
      },
    ]);
  });
});
