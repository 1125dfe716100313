import { type Ec2InstanceResource, parseFindings, resourceKey } from '@ir/contracts';
import { describe, expect, it } from 'vitest';
import {
  findingTypes,
  guardDutyApiFinding,
  guardDutyEventBridgeFinding,
  nativeFinding,
  securityHubImportedEvent,
} from '../../src/factories/index.js';

describe('finding factories', () => {
  it.each(Object.values(findingTypes))('produce input of every format that parses for %s', (type) => {
    // Prepare
    const inputs = [
      guardDutyEventBridgeFinding({ type, findingId: 'f1' }),
      guardDutyApiFinding({ type, findingId: 'f1' }),
      securityHubImportedEvent({ type, findingId: 'f1' }),
      nativeFinding({ type, findingId: 'f1' }),
    ];
    // Act
    const parsed = inputs.map((input) => parseFindings(JSON.stringify(input)));
    // Assess
    expect(parsed.map((findings) => findings.map((f) => f.source))).toEqual([
      ['guardduty'],
      ['guardduty'],
      ['securityhub'],
      ['native'],
    ]);
    const keys = parsed.map((findings) => findings[0]!.resources.map(resourceKey));
    expect(new Set(keys.map((k) => JSON.stringify(k))).size).toBe(1);
  });

  it('carry overrides through: account, region, severity, count, updatedAt, remote ip', () => {
    // Prepare
    const options = {
      accountId: '210987654321',
      region: 'ap-southeast-2',
      severity: 9.2,
      count: 12,
      updatedAt: '2024-06-01T12:30:00.000Z',
      remoteIp: '203.0.113.99',
      type: findingTypes.portProbe,
    };
    // Act
    const findings = [
      ...parseFindings(guardDutyEventBridgeFinding(options)),
      ...parseFindings(guardDutyApiFinding(options)),
      ...parseFindings(securityHubImportedEvent(options)),
      ...parseFindings(nativeFinding(options)),
    ];
    // Assess
    for (const finding of findings) {
      expect(finding).toMatchObject({ accountId: '210987654321', region: 'ap-southeast-2', count: 12 });
      expect(finding.severity.band).toBe('CRITICAL');
      expect(finding.updatedAt).toBe('2024-06-01T12:30:00.000Z');
      expect(finding.network?.remoteIps[0]?.ip).toBe('203.0.113.99');
    }
  });

  it('build instances with several ENIs, their subnets, groups and IPv6', () => {
    // Prepare
    const resource = {
      kind: 'instance' as const,
      instanceId: 'i-0feedface0000001',
      enis: [
        { ipv6: ['2001:db8::10'] },
        { subnetId: 'subnet-0bbb', securityGroups: [{ groupId: 'sg-0x' }] },
        {},
      ],
    };
    // Act
    const [fromEvent] = parseFindings(guardDutyEventBridgeFinding({ resource }));
    const [fromApi] = parseFindings(guardDutyApiFinding({ resource }));
    // Assess
    for (const finding of [fromEvent, fromApi]) {
      const instance = finding?.resources[0] as Ec2InstanceResource;
      expect(instance.instanceId).toBe('i-0feedface0000001');
      expect(instance.networkInterfaces).toHaveLength(3);
      expect(instance.networkInterfaces[0]?.ipv6).toEqual(['2001:db8::10']);
      expect(instance.networkInterfaces[1]).toMatchObject({
        subnetId: 'subnet-0bbb',
        securityGroups: [{ groupId: 'sg-0x' }],
      });
      expect(new Set(instance.networkInterfaces.map((eni) => eni.networkInterfaceId)).size).toBe(3);
    }
  });

  it('build access keys for a user and for an assumed role, and S3 findings with several buckets', () => {
    // Prepare
    const role = { kind: 'access-key' as const, userType: 'AssumedRole' as const, userName: 'batch-worker' };
    // Act
    const [user] = parseFindings(
      guardDutyApiFinding({ type: findingTypes.credentialExfiltration, resource: { kind: 'access-key' } }),
    );
    const [assumed] = parseFindings(securityHubImportedEvent({ resource: role }));
    const [s3] = parseFindings(
      guardDutyEventBridgeFinding({
        type: findingTypes.s3AnonymousAccess,
        resource: { kind: 's3', buckets: 2 },
      }),
    );
    // Assess
    expect(user?.resources[0]).toMatchObject({
      kind: 'iam-access-key',
      userType: 'IAMUser',
      userName: 'ci-deployer',
    });
    expect(assumed?.resources[0]).toMatchObject({
      kind: 'iam-access-key',
      userType: 'AssumedRole',
      roleName: 'batch-worker',
    });
    expect(s3?.resources.map(resourceKey)).toEqual(['s3-bucket:acme-bucket-1', 's3-bucket:acme-bucket-2']);
  });

  it('mark samples in every format and make Security Hub events with N findings', () => {
    // Prepare
    const options = { sample: true };
    // Act
    const samples = [
      ...parseFindings(guardDutyEventBridgeFinding(options)),
      ...parseFindings(guardDutyApiFinding(options)),
      ...parseFindings(securityHubImportedEvent({ ...options, findings: 3 })),
      ...parseFindings(nativeFinding(options)),
    ];
    // Assess
    expect(samples).toHaveLength(6);
    expect(samples.every((finding) => finding.sample)).toBe(true);
  });
});
