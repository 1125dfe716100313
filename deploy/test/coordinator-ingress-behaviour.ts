import { expect, it } from 'vitest';
import { type CfnTemplate, createResolver } from '../../tools/iam-proof/src/template-resolver.js';
import type { CoordinatorIngress } from '../src/constructs/coordinator-ingress.js';
import { unsuppressedNagFindings } from '../src/nag-findings.js';
import type { buildTestApp } from './build.js';
import { groupIdOf, logicalIdOf, type Resource, type Rule, resourcesOf, rulesOf, same } from './template.js';

/** One entry to the coordinator, built alone, and what sets it apart from the others. */
export interface CoordinatorIngressCase {
  /** The app built with this entry and no other. */
  readonly built: ReturnType<typeof buildTestApp>;
  readonly ingress: CoordinatorIngress;
  readonly scheme: 'internal' | 'internet-facing';
  /** The VPC's subnet group the load balancer stands in (`<group>Subnet1`, `<group>Subnet2`). */
  readonly subnetGroup: 'public' | 'services';
  readonly certificateArn: string;
  /** The CIDRs admitted on 443, in the order configured. */
  readonly allowedCidrs: readonly string[];
  /** Key prefix of its access logs in the log bucket. */
  readonly logPrefix: string;
  /** Sid of the log bucket's statement that lets ELB deliver its access logs. */
  readonly logSid: string;
  /** Its outputs are `<output>DnsName` and `<output>HostedZoneId`. */
  readonly output: string;
  /** What the DNS name output tells the operator to register (a URL's path). */
  readonly registeredPath: string;
  /** The cdk-nag rules acknowledged on its security group, and no other. */
  readonly acknowledged: readonly string[];
}

const attributesOf = (loadBalancer: Resource): Record<string, unknown> =>
  Object.fromEntries(
    (loadBalancer.Properties.LoadBalancerAttributes as { Key: string; Value: unknown }[]).map((attribute) => [
      attribute.Key,
      attribute.Value,
    ]),
  );

type PolicyStatement = { Sid?: string; Principal?: unknown; Resource?: unknown; [key: string]: unknown };

/**
 * Registers, in the calling `describe`, the tests of what every {@link CoordinatorIngress} does (the
 * load balancer, its access logs, the HTTPS listener, the target group of the coordinator's tasks,
 * the security groups between them, its outputs, cdk-nag): written once, so the Slack ingress and the
 * console's entry are held to the same assertions. Each test file adds what its entry alone does.
 */
export function itBehavesAsACoordinatorIngress(entry: CoordinatorIngressCase): void {
  const { built, ingress } = entry;
  const template = built.systemTemplate;
  const albGroup = logicalIdOf(ingress.securityGroup);
  const coordinatorGroup = logicalIdOf(built.system.services['response-coordinator'].securityGroup);
  const targetGroup = logicalIdOf(ingress.targetGroup);
  const logBucket = logicalIdOf(built.system.evidence.accessLogs);
  const theBalancer = () =>
    (resourcesOf(template, 'AWS::ElasticLoadBalancingV2::LoadBalancer')[0] as [string, Resource])[1];
  const theLogPolicy = () =>
    resourcesOf(template, 'AWS::S3::BucketPolicy').find(([, candidate]) =>
      same(candidate.Properties.Bucket, { Ref: logBucket }),
    ) as [string, Resource];

  it(`is one ${entry.scheme} application load balancer in the two ${entry.subnetGroup} subnets, dropping invalid headers`, () => {
    // Prepare / Act
    const balancers = resourcesOf(template, 'AWS::ElasticLoadBalancingV2::LoadBalancer');
    const subnets = built.system.node
      .findChild('Vpc')
      .node.findAll()
      .filter((construct) => new RegExp(`^${entry.subnetGroup}Subnet\\d$`).test(construct.node.id))
      .map((subnet) => ({ Ref: logicalIdOf(subnet) }));
    // Assess
    expect(balancers).toHaveLength(1);
    const [, balancer] = balancers[0] as [string, Resource];
    expect(balancer.Properties).toMatchObject({
      Type: 'application',
      Scheme: entry.scheme,
      SecurityGroups: [groupIdOf(albGroup)],
    });
    expect(subnets).toHaveLength(2);
    expect(balancer.Properties.Subnets).toEqual(subnets);
    expect(attributesOf(balancer)['routing.http.drop_invalid_header_fields.enabled']).toBe('true');
  });

  it(`logs access under ${entry.logPrefix}/ in the stack’s log bucket, whose policy lets ELB deliver there before the load balancer exists`, () => {
    // Prepare
    const balancer = theBalancer();
    const [policyId, policy] = theLogPolicy();
    // Act
    const attributes = attributesOf(balancer);
    const statement = (policy.Properties.PolicyDocument as { Statement: PolicyStatement[] }).Statement.find(
      (candidate) => candidate.Sid === entry.logSid,
    );
    // Assess
    expect(attributes).toMatchObject({
      'access_logs.s3.enabled': 'true',
      'access_logs.s3.bucket': { Ref: logBucket },
      'access_logs.s3.prefix': entry.logPrefix,
    });
    expect(balancer.DependsOn).toContain(policyId);
    expect(statement).toMatchObject({ Effect: 'Allow', Action: 's3:PutObject' });
    expect(JSON.stringify(statement?.Resource)).toContain(`/${entry.logPrefix}/AWSLogs/`);
    // The old regions' ELB account where there is one, the log-delivery service principal elsewhere.
    expect(JSON.stringify(statement?.Principal)).toContain('logdelivery.elasticloadbalancing.amazonaws.com');
    const mapping = Object.values(template.toJSON().Mappings as Record<string, unknown>).find((candidate) =>
      JSON.stringify(candidate).includes('127311923021'),
    ) as Record<string, { account: string }>;
    expect(mapping['us-east-1']?.account).toBe('127311923021');
    expect(mapping['eu-central-2']?.account).toBe('none');
  });

  it('lets the region’s ELB account deliver logs in older regions, the log-delivery service in newer ones', () => {
    // Prepare
    const cfn = template.toJSON() as CfnTemplate;
    const [, policy] = theLogPolicy();
    const statementIn = (region: string) => {
      const resolved = createResolver(cfn, { accountId: '111111111111', region }).resolve(
        policy.Properties.PolicyDocument,
      ) as { Statement: PolicyStatement[] };
      return resolved.Statement.find((statement) => statement.Sid === entry.logSid);
    };
    // Act
    const [old, newer] = [statementIn('us-east-1'), statementIn('eu-central-2')];
    // Assess: as CloudFormation resolves the mapping and the condition in each region.
    expect(old?.Principal).toEqual({ AWS: 'arn:aws:iam::127311923021:root' });
    expect(newer?.Principal).toEqual({ Service: 'logdelivery.elasticloadbalancing.amazonaws.com' });
    expect(old?.Resource).toMatch(new RegExp(`:s3:::.+/${entry.logPrefix}/AWSLogs/111111111111/\\*$`));
  });

  it('listens on 443 only, with HTTPS, the certificate, a TLS 1.2+ policy and a 404 by default', () => {
    // Prepare / Act
    const listeners = resourcesOf(template, 'AWS::ElasticLoadBalancingV2::Listener');
    // Assess
    expect(listeners).toHaveLength(1);
    const [, listener] = listeners[0] as [string, Resource];
    expect(listener.Properties).toMatchObject({
      Port: 443,
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: entry.certificateArn }],
      SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } }],
    });
  });

  it('targets the coordinator’s tasks (and no other service) on 8080, checked on /healthz', () => {
    // Prepare / Act
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

  it(`admits 443 from ${entry.allowedCidrs.join(', ')} only, and sends only to the coordinator on 8080`, () => {
    // Prepare / Act
    const ingressRules = rulesOf(template, albGroup, 'Ingress');
    const egressRules = rulesOf(template, albGroup, 'Egress');
    const fromAlb = resourcesOf(template, 'AWS::EC2::SecurityGroupIngress')
      .map(([, rule]) => rule.Properties as unknown as Rule & { GroupId: unknown })
      .filter((rule) => same(rule.SourceSecurityGroupId, groupIdOf(albGroup)));
    const coordinatorSources = rulesOf(template, coordinatorGroup, 'Ingress').map((rule) => [
      rule.SourceSecurityGroupId,
      rule.FromPort,
      rule.ToPort,
    ]);
    const groupOf = (id: string) => groupIdOf(logicalIdOf(built.system.node.findChild(id)));
    // Assess
    expect(ingressRules.map((rule) => [rule.CidrIp, rule.IpProtocol, rule.FromPort, rule.ToPort])).toEqual(
      entry.allowedCidrs.map((cidr) => [cidr, 'tcp', 443, 443]),
    );
    expect(egressRules).toEqual([
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
    expect(coordinatorSources).toEqual(
      expect.arrayContaining([
        [groupOf('ScrapeAccess'), 8080, 8080],
        [groupOf('ApiAccess'), 8080, 8080],
        [groupIdOf(albGroup), 8080, 8080],
      ]),
    );
    expect(coordinatorSources).toHaveLength(3);
  });

  it(`outputs the load balancer’s DNS name and hosted zone, with ${entry.registeredPath} to register`, () => {
    // Prepare / Act
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown; Description?: string }>;
    // Assess
    expect(outputs[`${entry.output}DnsName`]?.Value).toEqual({
      'Fn::GetAtt': [logicalIdOf(ingress.loadBalancer), 'DNSName'],
    });
    expect(outputs[`${entry.output}DnsName`]?.Description).toContain(entry.registeredPath);
    expect(outputs[`${entry.output}HostedZoneId`]?.Value).toEqual({
      'Fn::GetAtt': [logicalIdOf(ingress.loadBalancer), 'CanonicalHostedZoneID'],
    });
  });

  it(`leaves no unacknowledged cdk-nag finding, and acknowledges on its group only [${entry.acknowledged.join(', ')}]`, () => {
    // Prepare / Act
    const findings = unsuppressedNagFindings(built.system);
    const metadata = (template.toJSON().Resources as Record<string, Resource>)[albGroup]?.Metadata;
    const acknowledged = new Set(JSON.stringify(metadata ?? {}).match(/AwsSolutions[-\w]*/g));
    // Assess
    expect(findings).toEqual([]);
    expect([...acknowledged]).toEqual(entry.acknowledged);
  });
}
