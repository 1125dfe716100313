import { parseFindings, parseSecurityHubEvent } from '@ir/contracts';
import { describe, expect, it } from 'vitest';
import { fixture } from '../fixtures/load-fixture.js';

describe('parseSecurityHubEvent', () => {
  it('turns an event with three ASFF findings into three Findings', () => {
    // Prepare
    const event = fixture('security-hub-imported-three.json');
    // Act
    const findings = parseFindings(event);
    // Assess
    expect(findings.map((f) => f.source)).toEqual(['securityhub', 'securityhub', 'securityhub']);
    expect(findings.map((f) => f.resources[0]?.kind)).toEqual([
      'ec2-instance',
      's3-bucket',
      'iam-access-key',
    ]);
    expect(findings.map((f) => f.severity)).toEqual([
      { score: 8, band: 'HIGH', label: 'HIGH' },
      { score: 7, band: 'HIGH', label: 'HIGH' },
      { score: 9.5, band: 'CRITICAL', label: 'CRITICAL' },
    ]);
  });

  it('reads the instance id from the ARN, ENIs, addresses and the GuardDuty sample flag', () => {
    // Prepare
    const event = fixture('security-hub-imported-three.json');
    // Act
    const [guardDuty] = parseSecurityHubEvent(event);
    // Assess
    expect(guardDuty).toMatchObject({
      type: 'TTPs/Command and Control/Backdoor:EC2-C&CActivity.B!DNS',
      productArn: 'arn:aws:securityhub:us-east-1::product/aws/guardduty',
      sample: true,
      network: { domain: 'GeneratedFindingDomainName', direction: 'outbound', protocol: 'UDP' },
    });
    expect(guardDuty?.resources[0]).toEqual({
      kind: 'ec2-instance',
      instanceId: 'i-99999999',
      instanceType: 'm3.xlarge',
      imageId: 'ami-99999999',
      iamInstanceProfileArn: 'arn:aws:iam::123456789012:example/instance/profile',
      tags: { GeneratedFindingInstaceTag1: 'GeneratedFindingInstaceValue1' },
      networkInterfaces: [
        {
          networkInterfaceId: 'eni-bfcffe88',
          vpcId: 'GeneratedFindingVPCId',
          subnetId: 'GeneratedFindingSubnetId',
          securityGroups: [],
          privateIpv4: ['10.0.0.1'],
          publicIpv4: ['198.51.100.0'],
          ipv6: ['2001:db8::1'],
        },
        {
          networkInterfaceId: 'eni-0second0000000002',
          vpcId: 'GeneratedFindingVPCId',
          securityGroups: [],
          privateIpv4: [],
          publicIpv4: [],
          ipv6: [],
        },
      ],
    });
  });

  it('reads an assumed-role access key, the bucket from its ARN, and the GuardDuty count', () => {
    // Prepare
    const event = fixture('security-hub-imported-three.json');
    // Act
    const [, bucket, key] = parseSecurityHubEvent(event);
    // Assess
    expect(bucket?.resources[0]).toEqual({
      kind: 's3-bucket',
      bucketName: 'acme-public-assets',
      arn: 'arn:aws:s3:::acme-public-assets',
      tags: {},
    });
    expect(bucket?.type).toBe(
      'Software and Configuration Checks/Industry and Regulatory Standards/AWS-Foundational-Security-Best-Practices',
    );
    expect(bucket?.region).toBe('us-east-1');
    expect(key?.resources[0]).toEqual({
      kind: 'iam-access-key',
      accessKeyId: 'ASIAZ2EXAMPLE7KEYID',
      principalId: 'AROAZ2EXAMPLEROLEID:i-0123456789abcdef0',
      userType: 'AssumedRole',
      roleName: 'batch-worker',
      roleArn: 'arn:aws:iam::123456789012:role/service/batch-worker',
    });
    expect(key?.count).toBe(7);
    expect(key?.network).toEqual({
      remoteIps: [{ ip: '203.0.113.200', port: 51522 }],
      localPorts: [443],
      direction: 'inbound',
      protocol: 'TCP',
    });
  });

  it('uses the representative score when Normalized disagrees with the label, GeneratorId without Types', () => {
    // Prepare
    const event = fixture('security-hub-imported-three.json');
    const first = (event.detail as { findings: Record<string, unknown>[] }).findings[0]!;
    first.Severity = { Label: 'HIGH', Normalized: 30 };
    delete first.Types;
    // Act
    const [finding] = parseSecurityHubEvent(event);
    // Assess
    expect(finding?.severity).toEqual({ score: 8, band: 'HIGH', label: 'HIGH' });
    expect(finding?.type).toBe(first.GeneratorId);
  });

  it('rejects a finding with no resources, naming the finding', () => {
    // Prepare
    const event = fixture('security-hub-imported-three.json');
    (event.detail as { findings: Record<string, unknown>[] }).findings[2]!.Resources = [];
    // Act / Assess
    expect(() => parseSecurityHubEvent(event)).toThrow(
      expect.objectContaining({
        reason: 'no-resource',
        issues: [expect.objectContaining({ path: 'detail.findings[2].Resources' })],
      }),
    );
  });

  it('rejects a malformed account id, naming the field', () => {
    // Prepare
    const event = fixture('security-hub-imported-three.json');
    (event.detail as { findings: Record<string, unknown>[] }).findings[1]!.AwsAccountId = '1234';
    // Act / Assess
    expect(() => parseSecurityHubEvent(event)).toThrow(
      expect.objectContaining({
        reason: 'schema',
        issues: [expect.objectContaining({ path: 'detail.findings[1].AwsAccountId' })],
      }),
    );
  });
});
