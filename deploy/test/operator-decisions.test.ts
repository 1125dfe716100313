import { Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { DeployConfigError, parseDeployConfig } from '../src/config.js';
import { FORGED_DECISION_EVENT } from '../src/constructs/forged-decision-alarm.js';
import { buildTestApp, type Container, containerOf } from './build.js';

type Resource = { Properties: Record<string, unknown> };

const secretNamed = (container: Container, name: string) =>
  container.Secrets?.find((secret) => secret.Name === name)?.ValueFrom;

const SLACK = {
  slackSigningSecretName: 'ir/slack-signing-secret',
  slackBotTokenSecretName: 'ir/slack-bot-token',
  slackApprovalChannel: 'C0123456789',
  slackUserMap: JSON.stringify({
    U0123ABCD: { issuer: 'https://login.example.com', subject: 'alice', name: 'Alice', role: 'approver' },
  }),
};

describe('IncidentResponseStack decision-signing keys', () => {
  const built = buildTestApp();
  const template = built.systemTemplate;
  const logicalId = (construct: unknown) =>
    Stack.of(built.system).getLogicalId((construct as { node: { defaultChild: never } }).node.defaultChild);
  const [keyA, keyB] = [built.system.decisionKeys.secrets.a, built.system.decisionKeys.secrets.b].map(
    logicalId,
  );

  it('generates two keys of 64 hex digits', () => {
    // Prepare / Act: built above.
    // Assess: every character Secrets Manager could pick besides 0-9a-f is excluded.
    for (const slot of ['a', 'b']) {
      template.hasResourceProperties('AWS::SecretsManager::Secret', {
        Name: `ir/decision-signing-key-${slot}`,
        GenerateSecretString: {
          PasswordLength: 64,
          ExcludePunctuation: true,
          ExcludeUppercase: true,
          ExcludeCharacters: 'ghijklmnopqrstuvwxyz',
          IncludeSpace: false,
        },
      });
    }
  });

  it('gives the coordinator the active key to sign with and the other to verify, and no other service either', () => {
    // Prepare / Act: built above (decisionSigningKey defaults to a).
    const coordinator = containerOf(template, 'response-coordinator');
    // Assess
    expect(secretNamed(coordinator, 'IR_DECISION_SIGNING_KEY')).toEqual({ Ref: keyA });
    expect(secretNamed(coordinator, 'IR_DECISION_SIGNING_KEY_PREVIOUS')).toEqual({ Ref: keyB });
    for (const service of ['detection', 'isolator', 'forensics', 'notifier']) {
      expect(JSON.stringify(containerOf(template, service).Secrets ?? [])).not.toContain('DECISION');
    }
  });

  it('flips the slots for a rotation (decisionSigningKey=b)', () => {
    // Prepare
    const rotated = buildTestApp({ decisionSigningKey: 'b' });
    const coordinator = containerOf(rotated.systemTemplate, 'response-coordinator');
    // Act
    const sign = secretNamed(coordinator, 'IR_DECISION_SIGNING_KEY');
    const previous = secretNamed(coordinator, 'IR_DECISION_SIGNING_KEY_PREVIOUS');
    // Assess: the same secrets (logical ids), so a rotation keeps both values.
    expect(sign).toEqual({ Ref: keyB });
    expect(previous).toEqual({ Ref: keyA });
  }, 180_000);

  it('lets only the coordinator’s execution role read the keys', () => {
    // Prepare
    const executionRole = built.system.services['response-coordinator'].service.taskDefinition.executionRole;
    const executionRoleId = Stack.of(built.system).getLogicalId(executionRole?.node.defaultChild as never);
    const policies = Object.values(
      template.findResources('AWS::SecretsManager::ResourcePolicy'),
    ) as Resource[];
    // Act
    const guarded = policies.map((policy) => JSON.stringify(policy.Properties.SecretId));
    // Assess
    expect(guarded.sort()).toEqual([JSON.stringify({ Ref: keyA }), JSON.stringify({ Ref: keyB })].sort());
    template.hasResourceProperties('AWS::SecretsManager::ResourcePolicy', {
      ResourcePolicy: {
        Statement: [
          {
            Sid: 'OnlyTheCoordinatorExecutionRoleReads',
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 'secretsmanager:GetSecretValue',
            Resource: '*',
            Condition: { ArnNotEquals: { 'aws:PrincipalArn': { 'Fn::GetAtt': [executionRoleId, 'Arn'] } } },
          },
        ],
      },
    });
    // The execution roles of the other services are granted no read of them.
    const others = (Object.values(template.findResources('AWS::IAM::Policy')) as Resource[]).filter(
      (policy) =>
        JSON.stringify(policy.Properties.PolicyDocument).includes(keyA ?? '') &&
        !JSON.stringify(policy.Properties.Roles).includes(executionRoleId),
    );
    expect(others).toEqual([]);
  });
});

describe('IncidentResponseStack forged-decision alarm', () => {
  const template = buildTestApp().systemTemplate;

  it('counts the coordinator’s forged_decision_refused log lines and alarms on one in five minutes', () => {
    // Prepare / Act: built above.
    // Assess
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      FilterPattern: `{ $.msg = "${FORGED_DECISION_EVENT}" }`,
      LogGroupName: { Ref: Match.stringLikeRegexp('^ResponseCoordinatorLogs') },
      MetricTransformations: [
        { MetricName: 'ForgedDecisions', MetricNamespace: 'IncidentResponse/ir', MetricValue: '1' },
      ],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'ir-forged-decision',
      MetricName: 'ForgedDecisions',
      Namespace: 'IncidentResponse/ir',
      Period: 300,
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^AlarmTopic') }],
    });
  });
});

describe('IncidentResponseStack Slack approvals', () => {
  let template: Template;
  beforeAll(() => {
    template = buildTestApp(SLACK).systemTemplate;
  }, 180_000);

  it('gives the coordinator the signing secret and the user map, and the notifier the bot token and channel', () => {
    // Prepare
    const coordinator = containerOf(template, 'response-coordinator');
    const notifier = containerOf(template, 'notifier');
    // Act
    const signing = JSON.stringify(secretNamed(coordinator, 'IR_SLACK_SIGNING_SECRET'));
    const token = JSON.stringify(secretNamed(notifier, 'IR_SLACK_BOT_TOKEN'));
    // Assess
    expect(signing).toContain(':secret:ir/slack-signing-secret');
    expect(token).toContain(':secret:ir/slack-bot-token');
    const userMap = coordinator.Environment.find((variable) => variable.Name === 'IR_SLACK_USER_MAP');
    expect(JSON.parse(String(userMap?.Value))).toEqual(JSON.parse(SLACK.slackUserMap));
    expect(notifier.Environment).toContainEqual({ Name: 'IR_SLACK_APPROVAL_CHANNEL', Value: 'C0123456789' });
    expect(secretNamed(notifier, 'IR_SLACK_SIGNING_SECRET')).toBeUndefined();
    expect(secretNamed(coordinator, 'IR_SLACK_BOT_TOKEN')).toBeUndefined();
  });

  it('sets nothing for Slack when it is not configured', () => {
    // Prepare
    const plain = buildTestApp().systemTemplate;
    // Act
    const text = JSON.stringify([containerOf(plain, 'response-coordinator'), containerOf(plain, 'notifier')]);
    // Assess
    expect(text).not.toMatch(/IR_SLACK_(SIGNING_SECRET|USER_MAP|BOT_TOKEN|APPROVAL_CHANNEL)/);
  }, 180_000);
});

describe('parseDeployConfig for issue 18', () => {
  const keysOf = (context: Record<string, unknown>) => {
    try {
      parseDeployConfig(context);
    } catch (error: unknown) {
      if (error instanceof DeployConfigError) return error.keys;
      throw error;
    }
    return [];
  };

  it('refuses half a Slack configuration, naming what is missing', () => {
    // Prepare / Act
    const keys = keysOf({ slackSigningSecretName: 'ir/slack-signing-secret' });
    // Assess
    expect([...keys].sort()).toEqual(['slackApprovalChannel', 'slackBotTokenSecretName']);
  });

  it('refuses a user map that is not JSON or names no Slack user id, and one without Slack', () => {
    // Prepare / Act / Assess
    expect(keysOf({ ...SLACK, slackUserMap: '{oops' })).toEqual(['slackUserMap']);
    const alice = { issuer: 'https://login.example.com', subject: 'alice', role: 'approver' };
    expect(keysOf({ ...SLACK, slackUserMap: JSON.stringify({ alice }) })).toEqual(['slackUserMap.alice']);
    expect(
      keysOf({ ...SLACK, slackUserMap: JSON.stringify({ U0123ABCD: { ...alice, role: 'boss' } }) }),
    ).toEqual(['slackUserMap.U0123ABCD.role']);
    expect(keysOf({ slackUserMap: SLACK.slackUserMap })).toEqual(['slackUserMap']);
  });

  it('refuses the bot token or the approval channel given through notifierEnvironment', () => {
    // Prepare / Act
    const keys = keysOf({
      notifierEnvironment: { IR_SLACK_BOT_TOKEN: 'xoxb-not-here', IR_SLACK_APPROVAL_CHANNEL: 'C0123456789' },
    });
    // Assess
    expect([...keys].sort()).toEqual([
      'notifierEnvironment.IR_SLACK_APPROVAL_CHANNEL',
      'notifierEnvironment.IR_SLACK_BOT_TOKEN',
    ]);
  });

  it('reads operator roles as a list, and refuses a wildcard that would admit every role', () => {
    // Prepare
    const sso =
      'arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_IrOperator_*';
    // Act
    const config = parseDeployConfig({
      operatorRoleArns: `arn:aws:iam::123456789012:role/ir-operator, ${sso}`,
    });
    // Assess
    expect(config.operatorRoleArns).toEqual(['arn:aws:iam::123456789012:role/ir-operator', sso]);
    expect(keysOf({ operatorRoleArns: 'arn:aws:iam::123456789012:role/*' })).toEqual(['operatorRoleArns.0']);
    expect(keysOf({ operatorRoleArns: 'arn:aws:iam::123456789012:user/alice' })).toEqual([
      'operatorRoleArns.0',
    ]);
    expect(keysOf({ decisionSigningKey: 'c' })).toEqual(['decisionSigningKey']);
  });
});
