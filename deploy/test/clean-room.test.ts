import { Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { unsuppressedNagFindings } from '../src/nag-findings.js';
import { buildTestApp } from './build.js';

const AMI = 'ami-0123456789abcdef0';
const { system, systemTemplate: template } = buildTestApp({ forensicsAmiId: AMI });

type Statement = {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
};

/** The statements of the forensics task role's policies, by Sid. */
function forensicsStatements(): Map<string, Statement> {
  const role = Stack.of(system).getLogicalId(system.services.forensics.taskRole.node.defaultChild as never);
  const policies = Object.values(template.findResources('AWS::IAM::Policy')) as {
    Properties: { Roles?: unknown[]; PolicyDocument: { Statement: Statement[] } };
  }[];
  return new Map(
    policies
      .filter((policy) => JSON.stringify(policy.Properties.Roles ?? []).includes(`"${role}"`))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
      .filter((statement) => statement.Sid?.startsWith('CleanRoom'))
      .map((statement) => [statement.Sid as string, statement]),
  );
}

describe('IncidentResponseStack clean room (forensicsAmiId set)', () => {
  it('builds a forensics VPC of isolated subnets only: no internet gateway, no NAT', () => {
    // Prepare / Act: built above.
    const vpcs = template.findResources('AWS::EC2::VPC');
    // Assess
    expect(Object.keys(vpcs)).toHaveLength(2);
    const cleanRoomVpc = Stack.of(system).getLogicalId(system.cleanRoom?.vpc.node.defaultChild as never);
    const routes = Object.values(template.findResources('AWS::EC2::Route')) as {
      Properties: { RouteTableId: { Ref: string }; GatewayId?: unknown; NatGatewayId?: unknown };
    }[];
    const cleanRoomTables = new Set(
      (system.cleanRoom?.vpc.isolatedSubnets ?? []).map((subnet) =>
        Stack.of(system).resolve(subnet.routeTable.routeTableId),
      ),
    );
    expect(routes.filter((route) => cleanRoomTables.has(route.Properties.RouteTableId))).toEqual([]);
    expect(JSON.stringify(template.findResources('AWS::EC2::VPCGatewayAttachment'))).not.toContain(
      cleanRoomVpc,
    );
  });

  it('reaches SSM through interface endpoints reachable only from the analysis group', () => {
    // Prepare / Act: built above.
    const endpoints = Object.values(template.findResources('AWS::EC2::VPCEndpoint')) as {
      Properties: { ServiceName: unknown; VpcEndpointType?: string; PrivateDnsEnabled?: boolean };
    }[];
    // Assess
    const names = endpoints
      .filter((endpoint) => endpoint.Properties.VpcEndpointType === 'Interface')
      .map((endpoint) => JSON.stringify(endpoint.Properties.ServiceName));
    for (const service of ['.ssm', '.ssmmessages', '.ec2messages']) {
      expect(names.some((name) => name.includes(`${service}"`))).toBe(true);
    }
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('^Clean-room analysis instances'),
      SecurityGroupIngress: Match.absent(),
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      IpProtocol: 'tcp',
      FromPort: 443,
      ToPort: 443,
      DestinationSecurityGroupId: Match.anyValue(),
    });
  });

  it('launches from a template requiring IMDSv2, without public address, with an encrypted root', () => {
    // Prepare / Act: built above.
    // Assess
    template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateName: 'ir-clean-room',
      LaunchTemplateData: Match.objectLike({
        MetadataOptions: Match.objectLike({ HttpTokens: 'required', HttpPutResponseHopLimit: 1 }),
        NetworkInterfaces: [Match.objectLike({ AssociatePublicIpAddress: false })],
        BlockDeviceMappings: [
          Match.objectLike({ DeviceName: '/dev/xvda', Ebs: Match.objectLike({ Encrypted: true }) }),
        ],
        IamInstanceProfile: Match.anyValue(),
      }),
    });
  });

  it('gives the forensics service the clean-room variables', () => {
    // Prepare / Act: built above.
    const environment = system.cleanRoom?.environment ?? {};
    // Assess
    expect(Object.keys(environment).sort()).toEqual([
      'IR_FORENSICS_AMI',
      'IR_FORENSICS_INSTANCE_TYPE',
      'IR_FORENSICS_LAUNCH_TEMPLATE',
      'IR_FORENSICS_SECURITY_GROUP',
      'IR_FORENSICS_SUBNET',
    ]);
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [
        Match.objectLike({
          Environment: Match.arrayWith([{ Name: 'IR_FORENSICS_AMI', Value: AMI }]),
        }),
      ],
    });
  });

  it('lets the forensics role launch, attach, detach, terminate and delete only what is tagged as the clean room', () => {
    // Prepare / Act
    const statements = forensicsStatements();
    // Assess
    const tagged = { StringEquals: { 'aws:ResourceTag/ir:purpose': 'clean-room' } };
    expect(statements.get('CleanRoomTaggedOnly')?.Condition).toEqual(tagged);
    expect(statements.get('CleanRoomTaggedOnly')?.Action).toEqual([
      'ec2:AttachVolume',
      'ec2:DetachVolume',
      'ec2:TerminateInstances',
      'ec2:DeleteVolume',
    ]);
    expect(statements.get('CleanRoomLaunchTagged')?.Condition).toMatchObject({
      StringEquals: { 'aws:RequestTag/ir:purpose': 'clean-room' },
      ArnLike: { 'ec2:LaunchTemplate': expect.anything() },
    });
    expect(statements.get('CleanRoomCreateVolume')?.Condition).toEqual({
      StringEquals: { 'aws:RequestTag/ir:purpose': 'clean-room' },
    });
    expect(statements.get('CleanRoomPassInstanceRole')?.Condition).toEqual({
      StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' },
    });
  });

  it('passes cdk-nag with every finding acknowledged', () => {
    // Prepare / Act
    const findings = unsuppressedNagFindings(system);
    // Assess
    expect(findings).toEqual([]);
  }, 60_000);
});

describe('IncidentResponseStack without forensicsAmiId', () => {
  it('creates no clean room', () => {
    // Prepare
    const { system: plain, systemTemplate } = buildTestApp();
    // Act
    const templates = systemTemplate.findResources('AWS::EC2::LaunchTemplate');
    // Assess
    expect(plain.cleanRoom).toBeUndefined();
    expect(Object.keys(templates)).toEqual([]);
  }, 60_000);
});
