import {
  detectFindingFormat,
  type FindingParseError,
  isFindingParseError,
  parseFindings,
  resourceKey,
  severityFromOcsf,
} from '@ir/contracts';
import { describe, expect, it } from 'vitest';
import { sourcedFixture, sourcedFixtureText } from '../fixtures/load-fixture.js';

function rejection(input: unknown): FindingParseError {
  try {
    parseFindings(input);
  } catch (error: unknown) {
    if (isFindingParseError(error)) return error;
    throw error;
  }
  throw new Error('expected the finding to be rejected');
}

type Json = Record<string, unknown>;
const v2Event = () =>
  structuredClone(sourcedFixture('securityhub-v2-guardduty-cloudtrail.json')) as Json & {
    detail: { findings: Json[] };
  };

describe('Security Hub v2 (OCSF) findings delivered by EventBridge', () => {
  it('are recognised by their detail-type instead of being refused as unknown', () => {
    // Act
    const format = detectFindingFormat(sourcedFixture('securityhub-v2-guardduty-cloudtrail.json'));
    // Assess
    expect(format).toBe('securityhub-v2-eventbridge');
  });

  it('map a GuardDuty finding: ids, type, severity, account, region, times, resource and API call', () => {
    // Act
    const [finding] = parseFindings(sourcedFixtureText('securityhub-v2-guardduty-cloudtrail.json'));
    // Assess
    expect(finding).toMatchObject({
      source: 'securityhub',
      id: '1d24e91799652d9e17025b61d94f436b20b515b6f3cd9bda788f48c1db9cf244',
      type: 'Stealth:IAMUser/CloudTrailLoggingDisabled',
      title: 'An AWS CloudTrail trail Aws-Observability-e2esumoqeui was disabled.',
      severity: { score: 2, band: 'LOW', label: 'Low' },
      accountId: '869728294964',
      region: 'us-east-1',
      createdAt: '2024-10-24T10:37:06.938Z',
      updatedAt: '2025-07-22T03:02:34.272Z',
      count: 264,
      sample: false,
      productArn: 'arn:aws:securityhub:us-east-1::productv2/aws/guardduty',
      apiCall: {
        api: 'DeleteTrail',
        serviceName: 'cloudtrail.amazonaws.com',
        affectedResources: { 'AWS::CloudTrail::Trail': 'Aws-Observability-e2esumoqeui' },
      },
    });
    expect(finding?.resources).toEqual([
      {
        kind: 'iam-access-key',
        accessKeyId: 'ASIA4U76YS3TB3MEOA3O',
        principalId: 'AROA4U76YS3THXXBAIOOA:aws-go-sdk-1753152318418995274',
        roleName: 'cis_automation',
        userType: 'AssumedRole',
      },
    ]);
    expect(finding?.actor).toMatchObject({ userType: 'AssumedRole', roleName: 'cis_automation' });
    expect(finding?.raw).toEqual(v2Event().detail.findings[0]);
  });

  it('open one finding per OCSF finding in the event', () => {
    // Prepare
    const event = v2Event();
    const second = structuredClone(event.detail.findings[0]) as Json & { metadata: Json };
    second.metadata = { ...second.metadata, uid: 'second-finding' };
    event.detail.findings.push(second);
    // Act
    const findings = parseFindings(event);
    // Assess
    expect(findings.map((f) => f.id)).toEqual([
      '1d24e91799652d9e17025b61d94f436b20b515b6f3cd9bda788f48c1db9cf244',
      'second-finding',
    ]);
  });

  it('refuse an event whose source is not aws.securityhub (TRAPS 18)', () => {
    // Prepare
    const event = { ...v2Event(), source: 'custom.app' };
    // Act
    const error = rejection(event);
    // Assess
    expect(error.reason).toBe('schema');
    expect(error.issues.map((i) => i.path)).toContain('source');
  });
});

describe('Security Hub GetFindingsV2 responses', () => {
  const findings = () => parseFindings(sourcedFixture('securityhub-v2-api-findings.json'));

  it('are recognised by the OCSF findings they hold', () => {
    expect(detectFindingFormat(sourcedFixture('securityhub-v2-api-findings.json'))).toBe(
      'securityhub-v2-api',
    );
  });

  it('map an EC2 finding with its instance, ENIs, tags and the outbound DNS evidence', () => {
    // Act
    const [ec2] = findings();
    // Assess
    expect(ec2).toMatchObject({
      source: 'securityhub',
      type: 'Backdoor:EC2/C&CActivity.B!DNS',
      severity: { band: 'HIGH', label: 'High' },
      accountId: '444455556666',
      region: 'eu-west-1',
      createdAt: '2024-03-12T09:20:03.124Z',
      updatedAt: '2024-03-12T09:41:27.000Z',
      count: 3,
      network: {
        remoteIps: [{ ip: '198.51.100.23', port: 53, country: 'Netherlands', org: 'Example Hosting' }],
        localPorts: [49152],
        domain: 'c2.example-bad-domain.net',
        direction: 'outbound',
        protocol: 'udp',
      },
    });
    expect(ec2?.resources).toEqual([
      {
        kind: 'ec2-instance',
        instanceId: 'i-0a1b2c3d4e5f67890',
        instanceType: 'm5.large',
        imageId: 'ami-0c1bea58988a98915',
        iamInstanceProfileArn: 'arn:aws:iam::444455556666:instance-profile/web-tier',
        tags: { Name: 'web-01', 'aws:autoscaling:groupName': 'web-asg' },
        networkInterfaces: [
          {
            networkInterfaceId: 'eni-0primary0000000001',
            vpcId: 'vpc-0123456789abcdef0',
            subnetId: 'subnet-0aaa1111bbbb2222c',
            securityGroups: [{ groupId: 'sg-0web0000000000001', groupName: 'web-tier' }],
            privateIpv4: ['10.0.1.25'],
            publicIpv4: ['54.170.1.2'],
            ipv6: [],
          },
        ],
        region: 'eu-west-1',
      },
    ]);
  });

  it('map an EKS runtime finding with its cluster and the process evidence', () => {
    // Act
    const [, eks] = findings();
    // Assess
    expect(eks?.type).toBe('CryptoCurrency:Runtime/BitcoinTool.B!DNS');
    expect(eks?.severity).toEqual({ score: 9.5, band: 'CRITICAL', label: 'Critical' });
    expect(eks?.resources.map(resourceKey)).toEqual(['eks-cluster:payments-prod']);
    expect(eks?.runtime?.process).toEqual({
      name: 'xmrig',
      executablePath: '/tmp/xmrig',
      executableSha256: '5a1f7f8e0d2c3b4a59687766554433221100ffeeddccbbaa9988776655443322',
      pid: 4242,
      user: 'root',
      userId: 0,
      lineage: [],
    });
  });

  it('map a compliance finding to its control id and ASFF compliance status', () => {
    // Act
    const [, , compliance] = findings();
    // Assess
    expect(compliance).toMatchObject({
      controlId: 'S3.8',
      complianceStatus: 'FAILED',
      severity: { band: 'MEDIUM' },
      resources: [
        { kind: 's3-bucket', bucketName: 'acme-public-assets', arn: 'arn:aws:s3:::acme-public-assets' },
      ],
    });
  });
});

describe('OCSF findings from other producers', () => {
  it('go through the same parser with source ocsf', () => {
    // Act
    const [finding] = parseFindings(sourcedFixtureText('ocsf-detection-other-producer.json'));
    // Assess
    expect(detectFindingFormat(sourcedFixture('ocsf-detection-other-producer.json'))).toBe('ocsf');
    expect(finding).toMatchObject({
      source: 'ocsf',
      id: 'falco-7d1c2b3a-0001',
      type: 'Execution:Container/TerminalShell',
      severity: { band: 'HIGH' },
      createdAt: '2024-05-02T13:53:20.000Z',
      network: {
        remoteIps: [{ ip: '192.0.2.44', port: 50122 }],
        localPorts: [22],
        direction: 'inbound',
      },
      runtime: { process: { name: 'bash', executablePath: '/bin/bash', pid: 31337 } },
    });
    expect(finding?.productArn).toBeUndefined();
    expect(finding?.resources).toEqual([
      {
        kind: 'ec2-instance',
        instanceId: 'i-0a1b2c3d4e5f67890',
        tags: {},
        networkInterfaces: [],
        region: 'us-east-1',
      },
    ]);
  });

  it('keep a resource type without a kind as other, under its ASFF name', () => {
    // Prepare
    const finding = structuredClone(sourcedFixture('ocsf-detection-other-producer.json')) as Json;
    finding.resources = [
      { type: 'AWS::CloudTrail::Trail', uid: 'arn:aws:cloudtrail:us-east-1:123456789012:trail/main' },
    ];
    // Act
    const [parsed] = parseFindings(finding);
    // Assess
    expect(parsed?.resources).toEqual([
      {
        kind: 'other',
        resourceType: 'AwsCloudTrailTrail',
        id: 'arn:aws:cloudtrail:us-east-1:123456789012:trail/main',
      },
    ]);
  });
});

describe('OCSF severity', () => {
  it.each([
    [1, 'Informational', 'LOW'],
    [2, 'Low', 'LOW'],
    [3, 'Medium', 'MEDIUM'],
    [4, 'High', 'HIGH'],
    [5, 'Critical', 'CRITICAL'],
    [6, 'Fatal', 'CRITICAL'],
    [0, 'High', 'HIGH'],
    [99, 'Critical', 'CRITICAL'],
    [0, undefined, 'MEDIUM'],
    [99, 'Other', 'MEDIUM'],
  ] as const)('severity_id %i (%s) is %s', (id, caption, band) => {
    // Act
    const severity = severityFromOcsf(id, caption);
    // Assess
    expect(severity.band).toBe(band);
    expect(severity.label).toBe(caption);
  });
});

describe('Malformed OCSF findings', () => {
  const breakers: [string, (f: Json) => void, string][] = [
    ['finding_info.uid', (f) => delete (f.finding_info as Json).uid, 'schema'],
    ['severity_id', (f) => delete f.severity_id, 'schema'],
    ['class_uid', (f) => Object.assign(f, { class_uid: 2002 }), 'schema'],
    [
      'cloud.account.uid',
      (f) =>
        Object.assign(f, {
          cloud: { region: 'us-east-1' },
          resources: [{ type: 'AWS::S3::Bucket', uid: 'arn:aws:s3:::b' }],
        }),
      'schema',
    ],
    ['resources', (f) => Object.assign(f, { resources: [] }), 'no-resource'],
  ];
  it.each(breakers)('are rejected naming %s', (field, breakIt, reason) => {
    // Prepare
    const event = v2Event();
    breakIt(event.detail.findings[0] as Json);
    // Act
    const error = rejection(event);
    // Assess
    expect(error.reason).toBe(reason);
    expect(error.issues.map((i) => i.path)).toContain(`detail.findings[0].${field}`);
  });
});
