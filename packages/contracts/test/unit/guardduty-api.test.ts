import { parseFindings, parseGuardDutyApi } from '@ir/contracts';
import { describe, expect, it } from 'vitest';
import { fixture } from '../fixtures/load-fixture.js';

describe('parseGuardDutyApi', () => {
  it('parses a GetFindings response: an S3 finding naming two buckets and a sample port probe', () => {
    // Prepare
    const response = fixture('guardduty-api-get-findings.json');
    // Act
    const findings = parseFindings(response);
    // Assess
    expect(findings).toHaveLength(2);
    const [s3, probe] = findings;
    expect(s3?.type).toBe('Policy:S3/BucketAnonymousAccessGranted');
    expect(s3?.sample).toBe(false);
    expect(s3?.resources).toEqual([
      {
        kind: 's3-bucket',
        bucketName: 'acme-data-exports',
        arn: 'arn:aws:s3:::acme-data-exports',
        tags: { 'data-classification': 'confidential' },
      },
      {
        kind: 's3-bucket',
        bucketName: 'acme-data-exports-replica',
        arn: 'arn:aws:s3:::acme-data-exports-replica',
        tags: {},
      },
    ]);
    expect(probe?.sample).toBe(true);
    expect(probe?.severity).toEqual({ score: 2, band: 'LOW' });
    expect(probe?.count).toBe(2);
    expect(probe?.network).toEqual({
      remoteIps: [
        { ip: '198.51.100.0', country: 'GeneratedFindingCountryName', org: 'GeneratedFindingORG' },
        { ip: '192.0.2.10', country: 'GeneratedFindingCountryName' },
      ],
      localPorts: [80, 22],
      direction: 'inbound',
    });
    expect(probe?.resources[0]).toMatchObject({
      kind: 'ec2-instance',
      instanceId: 'i-99999999',
      networkInterfaces: [{ networkInterfaceId: 'eni-bfcffe88', ipv6: ['2001:db8::1'] }],
    });
  });

  it('parses a single finding object for an assumed role, naming the role', () => {
    // Prepare
    const finding = fixture('guardduty-api-assumed-role.json');
    // Act
    const [parsed] = parseGuardDutyApi(finding);
    // Assess
    expect(parsed?.resources).toEqual([
      {
        kind: 'iam-access-key',
        accessKeyId: 'ASIAZ2EXAMPLE7KEYID',
        principalId: 'AROAZ2EXAMPLEROLEID:i-0123456789abcdef0',
        userType: 'AssumedRole',
        roleName: 'batch-worker',
      },
    ]);
    // The role's name is never offered as a user name: no worker may look up or contain a user by it.
    expect(parsed?.resources[0]).not.toHaveProperty('userName');
    expect(parsed?.updatedAt).toBe('2024-06-11T23:02:18.000Z');
    expect(parsed?.network?.remoteIps[0]?.ip).toBe('203.0.113.200');
  });

  it('rejects an AdditionalInfo.Value that is not JSON, naming it in PascalCase', () => {
    // Prepare
    const finding = fixture('guardduty-api-assumed-role.json');
    (finding.Service as { AdditionalInfo: { Value: string } }).AdditionalInfo.Value = '{not json';
    // Act / Assess
    expect(() => parseGuardDutyApi(finding)).toThrow(
      expect.objectContaining({
        reason: 'schema',
        issues: [{ path: 'Service.AdditionalInfo.Value', message: 'is not a JSON document' }],
      }),
    );
  });

  it('names the PascalCase path inside a GetFindings response', () => {
    // Prepare
    const response = fixture('guardduty-api-get-findings.json');
    const second = (response.Findings as Record<string, unknown>[])[1]!;
    second.Severity = 'HIGH';
    // Act / Assess
    expect(() => parseGuardDutyApi(response)).toThrow(
      expect.objectContaining({ issues: [expect.objectContaining({ path: 'Findings[1].Severity' })] }),
    );
  });
});
