import { describe, expect, it } from 'vitest';
import { prove } from '../../tools/iam-proof/src/prove.js';
import { PROOF_SYNTH_CONTEXT } from '../../tools/iam-proof/src/synth-context.js';
import type { CfnTemplate } from '../../tools/iam-proof/src/template-resolver.js';
import { DeployConfigError, parseDeployConfig } from '../src/config.js';
import { ANYWHERE } from '../src/constructs/coordinator-ingress.js';
import { SLACK_INGRESS_LOG_PREFIX, SLACK_INTERACTIONS_PATH } from '../src/constructs/slack-ingress.js';
import { unsuppressedNagFindings } from '../src/nag-findings.js';
import { buildTestApp } from './build.js';
import { itBehavesAsACoordinatorIngress } from './coordinator-ingress-behaviour.js';
import { logicalIdOf, type Resource, resourcesOf, rulesOf } from './template.js';

const SLACK = {
  slackSigningSecretName: 'ir/slack-signing-secret',
  slackBotTokenSecretName: 'ir/slack-bot-token',
  slackApprovalChannel: 'C0123456789',
};
const CERTIFICATE = 'arn:aws:acm:eu-west-1:123456789012:certificate/0b7e6a9c-1111-2222-3333-444455556666';

describe('IncidentResponseStack without slackIngressCertificateArn', () => {
  it('has no load balancer, listener or target group, and the coordinator no load balancer', () => {
    // Prepare / Act
    const { system, systemTemplate } = buildTestApp(SLACK);
    // Assess
    expect(system.slackIngress).toBeUndefined();
    for (const type of [
      'AWS::ElasticLoadBalancingV2::LoadBalancer',
      'AWS::ElasticLoadBalancingV2::Listener',
      'AWS::ElasticLoadBalancingV2::ListenerRule',
      'AWS::ElasticLoadBalancingV2::TargetGroup',
    ]) {
      expect(resourcesOf(systemTemplate, type)).toEqual([]);
    }
    for (const [, service] of resourcesOf(systemTemplate, 'AWS::ECS::Service')) {
      expect(service.Properties.LoadBalancers).toBeUndefined();
    }
    expect(Object.keys(systemTemplate.toJSON().Outputs)).not.toContain('SlackIngressDnsName');
  }, 120_000);
});

describe('IncidentResponseStack with slackIngressCertificateArn (SlackIngress)', () => {
  const built = buildTestApp({ ...SLACK, slackIngressCertificateArn: CERTIFICATE });
  const template = built.systemTemplate;
  const ingress = built.system.slackIngress;
  if (!ingress) throw new Error('no Slack ingress built');
  const targetGroup = logicalIdOf(ingress.targetGroup);

  itBehavesAsACoordinatorIngress({
    built,
    ingress,
    scheme: 'internet-facing',
    subnetGroup: 'public',
    certificateArn: CERTIFICATE,
    // Slack publishes no fixed egress addresses: anywhere unless slackIngressAllowedCidrs narrows it.
    allowedCidrs: [ANYWHERE],
    logPrefix: SLACK_INGRESS_LOG_PREFIX,
    logSid: 'SlackIngressAccessLogs',
    output: 'SlackIngress',
    registeredPath: SLACK_INTERACTIONS_PATH,
    // EC23 (a group open to anywhere), for the open 443 only.
    acknowledged: ['AwsSolutions-EC23'],
  });

  it('has exactly one rule: POST /slack/interactions, forwarded to the coordinator’s target group', () => {
    // Prepare / Act: built above.
    const rules = resourcesOf(template, 'AWS::ElasticLoadBalancingV2::ListenerRule');
    // Assess
    expect(rules).toHaveLength(1);
    const [, rule] = rules[0] as [string, Resource];
    expect(rule.Properties.Actions).toEqual([{ Type: 'forward', TargetGroupArn: { Ref: targetGroup } }]);
    expect(rule.Properties.Conditions).toEqual(
      expect.arrayContaining([
        { Field: 'http-request-method', HttpRequestMethodConfig: { Values: ['POST'] } },
        { Field: 'path-pattern', PathPatternConfig: { Values: ['/slack/interactions'] } },
      ]),
    );
    expect(rule.Properties.Conditions).toHaveLength(2);
  });

  it('is a stack the IAM proof still reads (tools/iam-proof, with the context its main.ts synthesises)', async () => {
    // Prepare
    const proofApp = buildTestApp({
      ...PROOF_SYNTH_CONTEXT,
      ...SLACK,
      slackIngressCertificateArn: CERTIFICATE,
    });
    const templates = {
      system: proofApp.systemTemplate.toJSON() as CfnTemplate,
      member: proofApp.memberTemplate.toJSON() as CfnTemplate,
    };
    // Act
    const result = await prove(templates, [], { region: 'us-east-1' });
    // Assess
    expect(result.findings).toEqual([]);
  }, 60_000);
});

describe('SlackIngress with slackIngressAllowedCidrs', () => {
  it('admits 443 from those CIDRs only, and needs no acknowledgement for an open group', () => {
    // Prepare
    const built = buildTestApp({
      ...SLACK,
      slackIngressCertificateArn: CERTIFICATE,
      slackIngressAllowedCidrs: '203.0.113.0/24, 198.51.100.7/32',
    });
    const ingress = built.system.slackIngress;
    if (!ingress) throw new Error('no Slack ingress built');
    // Act
    const rules = rulesOf(built.systemTemplate, logicalIdOf(ingress.securityGroup), 'Ingress');
    const acknowledged = JSON.stringify(
      (built.systemTemplate.toJSON().Resources as Record<string, { Metadata?: unknown }>)[
        logicalIdOf(ingress.securityGroup)
      ]?.Metadata ?? {},
    );
    // Assess
    expect(rules.map((rule) => [rule.CidrIp, rule.FromPort, rule.ToPort])).toEqual([
      ['203.0.113.0/24', 443, 443],
      ['198.51.100.7/32', 443, 443],
    ]);
    expect(acknowledged).not.toContain('EC23');
    expect(unsuppressedNagFindings(built.system)).toEqual([]);
  }, 120_000);
});

describe('parseDeployConfig slackIngress keys', () => {
  it('refuses a certificate without Slack approvals, saying which keys it needs and why', () => {
    // Prepare / Act
    const attempt = () => parseDeployConfig({ slackIngressCertificateArn: CERTIFICATE });
    // Assess
    expect(attempt).toThrow(DeployConfigError);
    expect(attempt).toThrow(
      /slackIngressCertificateArn: is only used with Slack approvals: set slackSigningSecretName, slackBotTokenSecretName and slackApprovalChannel/,
    );
  });

  it('refuses what is not an ACM certificate ARN', () => {
    // Prepare
    const notCertificates = [
      'my-certificate',
      'arn:aws:iam::123456789012:server-certificate/slack',
      'arn:aws:acm:eu-west-1:1234:certificate/abc',
      `${CERTIFICATE} `,
    ];
    // Act / Assess
    for (const value of notCertificates) {
      expect(() => parseDeployConfig({ ...SLACK, slackIngressCertificateArn: value })).toThrow(
        /slackIngressCertificateArn: an ACM certificate ARN/,
      );
    }
    expect(
      parseDeployConfig({
        ...SLACK,
        slackIngressCertificateArn: 'arn:aws-us-gov:acm:us-gov-west-1:123456789012:certificate/abc-123',
      }).slackIngressCertificateArn,
    ).toBe('arn:aws-us-gov:acm:us-gov-west-1:123456789012:certificate/abc-123');
  });

  it('refuses allowed CIDRs without the certificate, and anything but IPv4 CIDRs', () => {
    // Prepare / Act / Assess
    expect(() => parseDeployConfig({ ...SLACK, slackIngressAllowedCidrs: '203.0.113.0/24' })).toThrow(
      /slackIngressAllowedCidrs: is only used with slackIngressCertificateArn/,
    );
    expect(() =>
      parseDeployConfig({
        ...SLACK,
        slackIngressCertificateArn: CERTIFICATE,
        slackIngressAllowedCidrs: '203.0.113.0/24,slack.com',
      }),
    ).toThrow(/slackIngressAllowedCidrs\.1: an IPv4 CIDR/);
    expect(
      parseDeployConfig({ ...SLACK, slackIngressCertificateArn: CERTIFICATE }).slackIngressAllowedCidrs,
    ).toEqual([]);
  });
});
