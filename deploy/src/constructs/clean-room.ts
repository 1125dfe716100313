import { Arn, ArnFormat, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { CleanRoomExemption } from '../iam/guard-statements.js';

/** Tag every clean-room resource carries (set by the forensics service); the grants are bound to it. */
export const CLEAN_ROOM_TAG = { key: 'ir:purpose', value: 'clean-room' } as const;

/** Settings of {@link CleanRoom}. */
export interface CleanRoomProps {
  readonly prefix: string;
  /** The analysis image (e.g. one with The Sleuth Kit and the SSM agent), region-specific. */
  readonly amiId: string;
  readonly instanceType: string;
  /** The image's root device, so the launch template's encrypted root volume replaces it. */
  readonly rootDeviceName: string;
  /** Key of the evidence snapshot copies: volumes are created from them. */
  readonly evidenceKey: kms.IKey;
  readonly logRetention: logs.RetentionDays;
}

/**
 * The forensics VPC where evidence volumes are examined (evidence.clean-room): isolated subnets only
 * (no internet gateway, no NAT), SSM reached through interface endpoints (ssm, ssmmessages,
 * ec2messages), an analysis group with no ingress and egress only to those endpoints, and a launch
 * template (IMDSv2 required, no public address, encrypted root, the SSM instance profile). No S3
 * endpoint: command outputs come back through the SSM API and the service stores them itself.
 */
export class CleanRoom extends Construct {
  readonly vpc: ec2.Vpc;
  readonly analysisGroup: ec2.SecurityGroup;
  readonly launchTemplate: ec2.LaunchTemplate;
  readonly instanceRole: iam.Role;
  private readonly props: CleanRoomProps;

  constructor(scope: Construct, id: string, props: CleanRoomProps) {
    super(scope, id);
    this.props = props;
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr('10.250.0.0/24'),
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'analysis', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 26 }],
      restrictDefaultSecurityGroup: true,
      flowLogs: {
        all: {
          destination: ec2.FlowLogDestination.toCloudWatchLogs(
            new logs.LogGroup(this, 'FlowLogs', { retention: props.logRetention }),
          ),
          trafficType: ec2.FlowLogTrafficType.ALL,
        },
      },
    });
    this.analysisGroup = new ec2.SecurityGroup(this, 'AnalysisGroup', {
      vpc: this.vpc,
      description: 'Clean-room analysis instances: no ingress; HTTPS to the SSM endpoints only',
      allowAllOutbound: false,
    });
    const endpointGroup = new ec2.SecurityGroup(this, 'EndpointGroup', {
      vpc: this.vpc,
      description: 'SSM interface endpoints of the forensics VPC: HTTPS from analysis instances only',
      allowAllOutbound: false,
    });
    endpointGroup.addIngressRule(this.analysisGroup, ec2.Port.tcp(443), 'SSM agent to the endpoints');
    this.analysisGroup.addEgressRule(endpointGroup, ec2.Port.tcp(443), 'SSM endpoints only');
    for (const [name, service] of [
      ['Ssm', ec2.InterfaceVpcEndpointAwsService.SSM],
      ['SsmMessages', ec2.InterfaceVpcEndpointAwsService.SSM_MESSAGES],
      ['Ec2Messages', ec2.InterfaceVpcEndpointAwsService.EC2_MESSAGES],
    ] as const) {
      this.vpc.addInterfaceEndpoint(name, {
        service,
        privateDnsEnabled: true,
        securityGroups: [endpointGroup],
        subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
        open: false,
      });
    }
    this.instanceRole = new iam.Role(this, 'InstanceRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: 'Clean-room analysis instances: register with SSM and run commands, nothing else',
      inlinePolicies: {
        ssmAgent: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              // The SSM agent's core calls (as AmazonSSMManagedInstanceCore, without S3 or parameters).
              actions: [
                'ssm:UpdateInstanceInformation',
                'ssm:ListInstanceAssociations',
                'ssm:ListAssociations',
                'ssm:DescribeDocument',
                'ssm:GetDocument',
                'ssmmessages:CreateControlChannel',
                'ssmmessages:CreateDataChannel',
                'ssmmessages:OpenControlChannel',
                'ssmmessages:OpenDataChannel',
                'ec2messages:AcknowledgeMessage',
                'ec2messages:DeleteMessage',
                'ec2messages:FailMessage',
                'ec2messages:GetEndpoint',
                'ec2messages:GetMessages',
                'ec2messages:SendReply',
              ],
              resources: ['*'],
            }),
          ],
        }),
      },
    });
    this.launchTemplate = new ec2.LaunchTemplate(this, 'LaunchTemplate', {
      launchTemplateName: `${props.prefix}-clean-room`,
      instanceType: new ec2.InstanceType(props.instanceType),
      role: this.instanceRole,
      requireImdsv2: true,
      httpPutResponseHopLimit: 1,
      instanceMetadataTags: false,
      associatePublicIpAddress: false,
      blockDevices: [
        {
          deviceName: props.rootDeviceName,
          volume: ec2.BlockDeviceVolume.ebs(30, {
            encrypted: true,
            volumeType: ec2.EbsDeviceVolumeType.GP3,
            deleteOnTermination: true,
          }),
        },
      ],
    });
  }

  /** The forensics service's variables for the clean room (subnet, group, template, image). */
  get environment(): Record<string, string> {
    return {
      IR_FORENSICS_AMI: this.props.amiId,
      IR_FORENSICS_SUBNET: this.vpc.isolatedSubnets[0]?.subnetId ?? '',
      IR_FORENSICS_SECURITY_GROUP: this.analysisGroup.securityGroupId,
      IR_FORENSICS_LAUNCH_TEMPLATE: this.launchTemplate.launchTemplateId ?? '',
      IR_FORENSICS_INSTANCE_TYPE: this.props.instanceType,
    };
  }

  /**
   * What the forensics task role may do here, least privilege: launch only with this template, this
   * image, in these subnets, with this group, tagged `ir:purpose=clean-room`; create volumes only so
   * tagged; attach and detach only tagged volumes to and from tagged instances (never the suspect,
   * which is in another account and untagged); terminate and delete only tagged resources; pass only
   * the instance role.
   */
  grantTo(role: iam.IRole): void {
    const stack = Stack.of(this);
    const ec2Arn = (resource: string, name = '*') =>
      Arn.format(
        { service: 'ec2', resource, resourceName: name, arnFormat: ArnFormat.SLASH_RESOURCE_NAME },
        stack,
      );
    const tagged = { StringEquals: { [`aws:ResourceTag/${CLEAN_ROOM_TAG.key}`]: CLEAN_ROOM_TAG.value } };
    const requestTagged = {
      StringEquals: { [`aws:RequestTag/${CLEAN_ROOM_TAG.key}`]: CLEAN_ROOM_TAG.value },
    };
    const template = ec2Arn('launch-template', this.launchTemplate.launchTemplateId);
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'CleanRoomLaunchTagged',
        actions: ['ec2:RunInstances'],
        resources: [ec2Arn('instance'), ec2Arn('volume'), ec2Arn('network-interface')],
        conditions: { ...requestTagged, ArnLike: { 'ec2:LaunchTemplate': template } },
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'CleanRoomLaunchFrom',
        actions: ['ec2:RunInstances'],
        resources: [
          template,
          Arn.format(
            {
              service: 'ec2',
              account: '',
              resource: 'image',
              resourceName: this.props.amiId,
              arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
            },
            stack,
          ),
          ...this.vpc.isolatedSubnets.map((subnet) => ec2Arn('subnet', subnet.subnetId)),
          ec2Arn('security-group', this.analysisGroup.securityGroupId),
        ],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'CleanRoomCreateVolume',
        actions: ['ec2:CreateVolume'],
        resources: [ec2Arn('volume')],
        conditions: requestTagged,
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'CleanRoomVolumeFromEvidenceSnapshot',
        actions: ['ec2:CreateVolume'],
        resources: [
          Arn.format(
            {
              service: 'ec2',
              account: '',
              resource: 'snapshot',
              resourceName: '*',
              arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
            },
            stack,
          ),
        ],
        conditions: { StringEquals: { 'aws:ResourceTag/ir:purpose': 'forensic evidence' } },
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'CleanRoomTagOnCreate',
        actions: ['ec2:CreateTags'],
        resources: [ec2Arn('instance'), ec2Arn('volume'), ec2Arn('network-interface')],
        conditions: { StringEquals: { 'ec2:CreateAction': ['RunInstances', 'CreateVolume'] } },
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'CleanRoomTaggedOnly',
        // DetachVolume: the teardown (or an operator's retry of it) frees a volume before deleting it.
        actions: ['ec2:AttachVolume', 'ec2:DetachVolume', 'ec2:TerminateInstances', 'ec2:DeleteVolume'],
        resources: [ec2Arn('instance'), ec2Arn('volume')],
        conditions: tagged,
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'CleanRoomPassInstanceRole',
        actions: ['iam:PassRole'],
        resources: [this.instanceRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
      }),
    );
    // Volumes from snapshots under the evidence key: EBS uses the key on the service's behalf.
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'CleanRoomEvidenceKeyViaEbs',
        actions: [
          'kms:Decrypt',
          'kms:DescribeKey',
          'kms:GenerateDataKeyWithoutPlaintext',
          'kms:ReEncryptFrom',
          'kms:ReEncryptTo',
        ],
        resources: [this.props.evidenceKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `ec2.${stack.region}.amazonaws.com` } },
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'CleanRoomEvidenceKeyGrantsForEbs',
        actions: ['kms:CreateGrant'],
        resources: [this.props.evidenceKey.keyArn],
        conditions: {
          StringEquals: { 'kms:ViaService': `ec2.${stack.region}.amazonaws.com` },
          Bool: { 'kms:GrantIsForAWSResource': 'true' },
        },
      }),
    );
  }

  /**
   * What the forensics task role's guard must let through for this clean room: passing the instance
   * role (to EC2), and terminating or deleting what carries the clean-room tag, which only the
   * create call that launches or creates it may write (guard-statements.ts).
   */
  get guardExemption(): CleanRoomExemption {
    return { instanceRoleArn: this.instanceRole.roleArn, tag: CLEAN_ROOM_TAG };
  }
}
