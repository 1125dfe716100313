import { Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { prove } from '../../tools/iam-proof/src/prove.js';
import { PROOF_SYNTH_CONTEXT } from '../../tools/iam-proof/src/synth-context.js';
import { type CfnTemplate, createResolver } from '../../tools/iam-proof/src/template-resolver.js';
import { DeployConfigError, parseDeployConfig } from '../src/config.js';
import { SLACK_INGRESS_LOG_PREFIX } from '../src/constructs/slack-ingress.js';
import { unsuppressedNagFindings } from '../src/nag-findings.js';
import { buildTestApp } from './build.js';

type Resource = { Properties: Record<string, unknown>; DependsOn?: string[] };
type Rule = {
  CidrIp?: string;
  SourceSecurityGroupId?: unknown;
  DestinationSecurityGroupId?: unknown;
  FromPort?: number;
  ToPort?: number;
  IpProtocol: string;
};

const SLACK = {
  slackSigningSecretName: 'ir/slack-signing-secret',
  slackBotTokenSecretName: 'ir/slack-bot-token',
  slackApprovalChannel: 'C0123456789',
};
const CERTIFICATE = 'arn:aws:acm:eu-west-1:123456789012:certificate/0b7e6a9c-1111-2222-3333-444455556666';

const resourcesOf = (template: Template, type: string): [string, Resource][] =>
  Object.entries(template.findResources(type)) as [string, Resource][];
const logicalIdOf = (construct: IConstruct): string =>
  Stack.of(construct).getLogicalId(construct.node.defaultChild as never);
const groupIdOf = (logicalId: string) => ({ 'Fn::GetAtt': [logicalId, 'GroupId'] });

/** Every ingress rule of a group: inline, and the separate AWS::EC2::SecurityGroupIngress resources. */
function ingressOf(template: Template, groupLogicalId: string): Rule[] {
  const group = template.toJSON().Resources[groupLogicalId] as Resource;
  const inline = (group.Properties.SecurityGroupIngress as Rule[] | undefined) ?? [];
  const separate = resourcesOf(template, 'AWS::EC2::SecurityGroupIngress')
    .map(([, rule]) => rule.Properties)
    .filter((rule) => JSON.stringify(rule.GroupId) === JSON.stringify(groupIdOf(groupLogicalId)));
  return [...inline, ...(separate as unknown as Rule[])];
}

/** Every egress rule of a group, likewise. */
function egressOf(template: Template, groupLogicalId: string): Rule[] {
  const group = template.toJSON().Resources[groupLogicalId] as Resource;
  const inline = (group.Properties.SecurityGroupEgress as Rule[] | undefined) ?? [];
  const separate = resourcesOf(template, 'AWS::EC2::SecurityGroupEgress')
    .map(([, rule]) => rule.Properties)
    .filter((rule) => JSON.stringify(rule.GroupId) === JSON.stringify(groupIdOf(groupLogicalId)));
  return [...inline, ...(separate as unknown as Rule[])];
}

const attributesOf = (loadBalancer: Resource): Record<string, unknown> =>
  Object.fromEntries(
    (loadBalancer.Properties.LoadBalancerAttributes as { Key: string; Value: unknown }[]).map((attribute) => [
      attribute.Key,
      attribute.Value,
    ]),
  );

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
  const albGroup = logicalIdOf(ingress.securityGroup);
  const coordinatorGroup = logicalIdOf(built.system.services['response-coordinator'].securityGroup);
  const targetGroup = logicalIdOf(ingress.targetGroup);

  it('is one internet-facing application load balancer in the public subnets, dropping invalid headers', () => {
    // Prepare / Act: built above.
    const balancers = resourcesOf(template, 'AWS::ElasticLoadBalancingV2::LoadBalancer');
    // Assess
    expect(balancers).toHaveLength(1);
    const [, balancer] = balancers[0] as [string, Resource];
    expect(balancer.Properties).toMatchObject({
      Type: 'application',
      Scheme: 'internet-facing',
      SecurityGroups: [groupIdOf(albGroup)],
    });
    const publicSubnets = built.system.node
      .findChild('Vpc')
      .node.findAll()
      .filter((construct) => /^publicSubnet\d$/.test(construct.node.id))
      .map((subnet) => ({ Ref: logicalIdOf(subnet) }));
    expect(publicSubnets).toHaveLength(2);
    expect(balancer.Properties.Subnets).toEqual(publicSubnets);
    expect(attributesOf(balancer)['routing.http.drop_invalid_header_fields.enabled']).toBe('true');
  });

  it('logs access to the stack’s log bucket, which lets the region’s ELB log delivery write there', () => {
    // Prepare
    const [, balancer] = resourcesOf(template, 'AWS::ElasticLoadBalancingV2::LoadBalancer')[0] as [
      string,
      Resource,
    ];
    const logBucket = logicalIdOf(built.system.evidence.accessLogs);
    const [policyId, policy] = resourcesOf(template, 'AWS::S3::BucketPolicy').find(
      ([, candidate]) => JSON.stringify(candidate.Properties.Bucket) === JSON.stringify({ Ref: logBucket }),
    ) as [string, Resource];
    // Act
    const attributes = attributesOf(balancer);
    const statement = (
      policy.Properties.PolicyDocument as { Statement: { Sid?: string; [key: string]: unknown }[] }
    ).Statement.find((candidate) => candidate.Sid === 'SlackIngressAccessLogs');
    // Assess
    expect(attributes).toMatchObject({
      'access_logs.s3.enabled': 'true',
      'access_logs.s3.bucket': { Ref: logBucket },
      'access_logs.s3.prefix': SLACK_INGRESS_LOG_PREFIX,
    });
    expect(balancer.DependsOn).toContain(policyId);
    expect(statement).toMatchObject({ Effect: 'Allow', Action: 's3:PutObject' });
    expect(JSON.stringify(statement?.Resource)).toContain(`/${SLACK_INGRESS_LOG_PREFIX}/AWSLogs/`);
    // The old regions' ELB account where there is one, the log-delivery service principal elsewhere.
    const rendered = JSON.stringify(statement?.Principal);
    expect(rendered).toContain('logdelivery.elasticloadbalancing.amazonaws.com');
    const mapping = Object.values(template.toJSON().Mappings as Record<string, unknown>).find((candidate) =>
      JSON.stringify(candidate).includes('127311923021'),
    ) as Record<string, { account: string }>;
    expect(mapping['us-east-1']?.account).toBe('127311923021');
    expect(mapping['eu-central-2']?.account).toBe('none');
  });

  it('listens on 443 only, with HTTPS, the certificate, a TLS 1.2+ policy and a 404 by default', () => {
    // Prepare / Act: built above.
    const listeners = resourcesOf(template, 'AWS::ElasticLoadBalancingV2::Listener');
    // Assess
    expect(listeners).toHaveLength(1);
    const [, listener] = listeners[0] as [string, Resource];
    expect(listener.Properties).toMatchObject({
      Port: 443,
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: CERTIFICATE }],
      SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } }],
    });
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

  it('targets the coordinator’s tasks (and no other service) on 8080, checked on /healthz', () => {
    // Prepare / Act: built above.
    const targetGroups = resourcesOf(template, 'AWS::ElasticLoadBalancingV2::TargetGroup');
    const withBalancers = resourcesOf(template, 'AWS::ECS::Service').filter(
      ([, service]) => service.Properties.LoadBalancers !== undefined,
    );
    // Assess
    expect(targetGroups.map(([id]) => id)).toEqual([targetGroup]);
    expect(targetGroups[0]?.[1].Properties).toMatchObject({
      TargetType: 'ip',
      Protocol: 'HTTP',
      Port: 8080,
      HealthCheckPath: '/healthz',
      HealthCheckPort: '8080',
    });
    expect(withBalancers.map(([, service]) => service.Properties.ServiceName)).toEqual([
      'ir-response-coordinator',
    ]);
    expect(withBalancers[0]?.[1].Properties.LoadBalancers).toEqual([
      { ContainerName: 'response-coordinator', ContainerPort: 8080, TargetGroupArn: { Ref: targetGroup } },
    ]);
  });

  it('admits HTTPS from anywhere to the load balancer, and the load balancer only to the coordinator on 8080', () => {
    // Prepare / Act: built above.
    const albIngress = ingressOf(template, albGroup);
    const albEgress = egressOf(template, albGroup);
    const fromAlb = resourcesOf(template, 'AWS::EC2::SecurityGroupIngress')
      .map(([, rule]) => rule.Properties as unknown as Rule & { GroupId: unknown })
      .filter((rule) => JSON.stringify(rule.SourceSecurityGroupId) === JSON.stringify(groupIdOf(albGroup)));
    // Assess
    expect(albIngress).toEqual([
      expect.objectContaining({ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443 }),
    ]);
    expect(albEgress).toEqual([
      expect.objectContaining({
        DestinationSecurityGroupId: groupIdOf(coordinatorGroup),
        IpProtocol: 'tcp',
        FromPort: 8080,
        ToPort: 8080,
      }),
    ]);
    expect(fromAlb).toEqual([
      expect.objectContaining({
        GroupId: groupIdOf(coordinatorGroup),
        IpProtocol: 'tcp',
        FromPort: 8080,
        ToPort: 8080,
      }),
    ]);
    // The coordinator admits, besides, only what it did before: Prometheus and the operator API's group.
    const coordinatorSources = ingressOf(template, coordinatorGroup).map((rule) => [
      rule.SourceSecurityGroupId,
      rule.FromPort,
      rule.ToPort,
    ]);
    const groupOf = (id: string) => groupIdOf(logicalIdOf(built.system.node.findChild(id)));
    expect(coordinatorSources).toEqual(
      expect.arrayContaining([
        [groupOf('ScrapeAccess'), 8080, 8080],
        [groupOf('ApiAccess'), 8080, 8080],
        [groupIdOf(albGroup), 8080, 8080],
      ]),
    );
    expect(coordinatorSources).toHaveLength(3);
  });

  it('outputs the load balancer’s DNS name and hosted zone for the certificate’s host name', () => {
    // Prepare / Act
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown; Description?: string }>;
    // Assess
    expect(outputs.SlackIngressDnsName?.Value).toEqual({
      'Fn::GetAtt': [logicalIdOf(ingress.loadBalancer), 'DNSName'],
    });
    expect(outputs.SlackIngressDnsName?.Description).toContain('/slack/interactions');
    expect(outputs.SlackIngressHostedZoneId?.Value).toEqual({
      'Fn::GetAtt': [logicalIdOf(ingress.loadBalancer), 'CanonicalHostedZoneID'],
    });
  });

  it('lets the region’s ELB account deliver logs in older regions, the log-delivery service in newer ones', () => {
    // Prepare
    const cfn = template.toJSON() as CfnTemplate;
    const [, policy] = resourcesOf(template, 'AWS::S3::BucketPolicy').find(([, candidate]) =>
      JSON.stringify(candidate).includes('SlackIngressAccessLogs'),
    ) as [string, Resource];
    const principalIn = (region: string) => {
      const resolved = createResolver(cfn, { accountId: '111111111111', region }).resolve(
        policy.Properties.PolicyDocument,
      ) as { Statement: { Sid?: string; Principal: unknown; Resource: unknown }[] };
      return resolved.Statement.find((statement) => statement.Sid === 'SlackIngressAccessLogs');
    };
    // Act
    const [old, newer] = [principalIn('us-east-1'), principalIn('eu-central-2')];
    // Assess: as CloudFormation resolves the mapping and the condition in each region.
    expect(old?.Principal).toEqual({ AWS: 'arn:aws:iam::127311923021:root' });
    expect(newer?.Principal).toEqual({ Service: 'logdelivery.elasticloadbalancing.amazonaws.com' });
    expect(old?.Resource).toMatch(/:s3:::.+\/slack-ingress\/AWSLogs\/111111111111\/\*$/);
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

  it('leaves no unacknowledged cdk-nag finding (EC23 acknowledged for the open 443 only)', () => {
    // Prepare / Act
    const findings = unsuppressedNagFindings(built.system);
    const metadata = (template.toJSON().Resources as Record<string, { Metadata?: unknown }>)[albGroup]
      ?.Metadata;
    // Assess
    expect(findings).toEqual([]);
    expect(JSON.stringify(metadata)).toContain('AwsSolutions-EC23');
  });
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
    const rules = ingressOf(built.systemTemplate, logicalIdOf(ingress.securityGroup));
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
