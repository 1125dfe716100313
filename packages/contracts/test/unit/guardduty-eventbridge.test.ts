import { type Ec2InstanceResource, parseFindings, parseGuardDutyEventBridge } from '@ir/contracts';
import { describe, expect, it } from 'vitest';
import { fixture, fixtureText } from '../fixtures/load-fixture.js';

describe('parseGuardDutyEventBridge', () => {
  it('normalises an EC2 finding with two ENIs, IPv6 and secondary private addresses', () => {
    // Prepare
    const text = fixtureText('guardduty-eventbridge-ec2-multi-eni.json');
    // Act
    const [finding] = parseFindings(text);
    // Assess
    expect(finding).toMatchObject({
      source: 'guardduty',
      id: '36c6d2f9b5e84dd2a0b0a5d0c1f2e3a4',
      type: 'Backdoor:EC2/C&CActivity.B!DNS',
      accountId: '444455556666',
      region: 'eu-west-1',
      severity: { score: 8, band: 'HIGH' },
      count: 6,
      sample: false,
      createdAt: '2024-03-12T09:20:03.124Z',
      network: { domain: 'c2.example-bad-domain.net', direction: 'outbound', protocol: 'UDP', remoteIps: [] },
    });
    const instance = finding?.resources[0] as Ec2InstanceResource;
    expect(instance.instanceId).toBe('i-0a1b2c3d4e5f67890');
    expect(instance.iamInstanceProfileArn).toBe('arn:aws:iam::444455556666:instance-profile/web-tier');
    expect(instance.tags).toEqual({ Name: 'web-01', 'aws:autoscaling:groupName': 'web-asg' });
    expect(instance.networkInterfaces).toEqual([
      {
        networkInterfaceId: 'eni-0primary0000000001',
        vpcId: 'vpc-0123456789abcdef0',
        subnetId: 'subnet-0aaa1111bbbb2222c',
        securityGroups: [
          { groupId: 'sg-0web0000000000001', groupName: 'web-tier' },
          { groupId: 'sg-0ssm0000000000002', groupName: 'ssm-endpoints' },
        ],
        privateIpv4: ['10.0.1.25', '10.0.1.26'],
        publicIpv4: ['54.170.1.2'],
        ipv6: ['2a05:d018:1234:5600:abcd:ef01:2345:6789'],
      },
      {
        networkInterfaceId: 'eni-0second000000000002',
        vpcId: 'vpc-0123456789abcdef0',
        subnetId: 'subnet-0ddd3333eeee4444f',
        securityGroups: [{ groupId: 'sg-0rep0000000000003', groupName: 'replication' }],
        privateIpv4: ['10.0.2.40'],
        publicIpv4: [],
        ipv6: [],
      },
    ]);
  });

  it('flags a generated sample finding (additionalInfo.sample as an object field)', () => {
    // Prepare
    const event = fixture('guardduty-eventbridge-sample.json');
    // Act
    const [finding] = parseGuardDutyEventBridge(event);
    // Assess
    expect(finding?.sample).toBe(true);
    expect(finding?.type).toBe('CryptoCurrency:EC2/BitcoinTool.B!DNS');
    expect(finding?.raw).toBe(event);
  });

  it('reads an access-key finding for an IAM user with the caller IP, country and org', () => {
    // Prepare
    const event = fixture('guardduty-eventbridge-iam-user.json');
    // Act
    const [finding] = parseGuardDutyEventBridge(event);
    // Assess
    expect(finding?.resources).toEqual([
      {
        kind: 'iam-access-key',
        accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
        principalId: 'AIDAJQABLZS4A3QDU576Q',
        userName: 'ci-deployer',
        userType: 'IAMUser',
      },
    ]);
    expect(finding?.network?.remoteIps).toEqual([
      { ip: '203.0.113.77', country: 'Netherlands', org: 'Example Hosting Ltd' },
    ]);
    expect(finding?.severity.band).toBe('MEDIUM');
  });

  it('rejects a wrongly typed field deep in the resource, naming its path', () => {
    // Prepare
    const event = fixture('guardduty-eventbridge-ec2-multi-eni.json');
    const detail = event.detail as {
      resource: { instanceDetails: { networkInterfaces: { subnetId: unknown }[] } };
    };
    detail.resource.instanceDetails.networkInterfaces[0]!.subnetId = 42;
    // Act / Assess
    expect(() => parseGuardDutyEventBridge(event)).toThrow(
      expect.objectContaining({
        name: 'FindingParseError',
        reason: 'schema',
        issues: [
          expect.objectContaining({ path: 'detail.resource.instanceDetails.networkInterfaces[0].subnetId' }),
        ],
      }),
    );
  });

  it('rejects a finding without a resource as no-resource', () => {
    // Prepare
    const event = fixture('guardduty-eventbridge-iam-user.json');
    delete (event.detail as Record<string, unknown>).resource;
    // Act / Assess
    expect(() => parseGuardDutyEventBridge(event)).toThrow(
      expect.objectContaining({
        reason: 'no-resource',
        issues: [expect.objectContaining({ path: 'detail.resource' })],
      }),
    );
  });

  it('rejects an event whose source is not aws.guardduty (only AWS can publish that source)', () => {
    // Prepare
    const event = { ...fixture('guardduty-eventbridge-iam-user.json'), source: 'custom.attacker' };
    // Act / Assess
    expect(() => parseGuardDutyEventBridge(event)).toThrow(
      expect.objectContaining({ reason: 'schema', issues: [expect.objectContaining({ path: 'source' })] }),
    );
  });
});
