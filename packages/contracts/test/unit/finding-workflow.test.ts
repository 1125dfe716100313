import { guardDutyFindingIdOf, parseFindings } from '@ir/contracts';
import { describe, expect, it } from 'vitest';
import { fixture, fixtureText, sourcedFixture } from '../fixtures/load-fixture.js';

describe('the workflow reference each parser keeps (where a finding is marked at its source)', () => {
  it('keeps a GuardDuty finding its Security Hub copy (GuardDuty product, ARN as Id) and its GuardDuty id', () => {
    // Act
    const [finding] = parseFindings(fixtureText('guardduty-eventbridge-ec2-multi-eni.json'));
    // Assess
    expect(finding?.workflow).toEqual({
      guardDutyFindingId: '36c6d2f9b5e84dd2a0b0a5d0c1f2e3a4',
      securityHub: {
        api: 'v1',
        productArn: 'arn:aws:securityhub:eu-west-1::product/aws/guardduty',
        id: 'arn:aws:guardduty:eu-west-1:444455556666:detector/12abc34d567e8fa901bc2d34e56789f0/finding/36c6d2f9b5e84dd2a0b0a5d0c1f2e3a4',
      },
    });
  });

  it('keeps an ASFF finding its product ARN and Id (v1), and the GuardDuty id only for GuardDuty products', () => {
    // Act
    const findings = parseFindings(fixture('security-hub-imported-three.json'));
    // Assess
    expect(findings.map((f) => f.workflow?.securityHub?.api)).toEqual(['v1', 'v1', 'v1']);
    expect(findings[0]?.workflow).toMatchObject({
      securityHub: { productArn: 'arn:aws:securityhub:us-east-1::product/aws/guardduty' },
      guardDutyFindingId: '16afba5c5c43e07c9e3e5e2e544e95df',
    });
    expect(findings[1]?.workflow?.guardDutyFindingId).toBeUndefined();
  });

  it('keeps a Security Hub v2 (OCSF) finding its metadata.uid, and GuardDuty id from finding_info.uid', () => {
    // Act
    const [finding] = parseFindings(sourcedFixture('securityhub-v2-guardduty-cloudtrail.json'));
    // Assess
    expect(finding?.workflow).toEqual({
      securityHub: {
        api: 'v2',
        metadataUid: '1d24e91799652d9e17025b61d94f436b20b515b6f3cd9bda788f48c1db9cf244',
      },
      guardDutyFindingId: '06c95f0cfdfd3b579b977e20e9da1aa4',
    });
  });

  it('keeps none for findings with no workflow at a source we can mark (another OCSF producer)', () => {
    // Act
    const [finding] = parseFindings(sourcedFixture('ocsf-detection-other-producer.json'));
    // Assess
    expect(finding?.source).toBe('ocsf');
    expect(finding?.workflow).toBeUndefined();
  });

  it('reads a GuardDuty finding id only from a GuardDuty finding ARN', () => {
    // Act, Assess
    expect(
      guardDutyFindingIdOf(
        'arn:aws-us-gov:guardduty:us-gov-west-1:123456789012:detector/abc123/finding/def456',
      ),
    ).toBe('def456');
    expect(guardDutyFindingIdOf('arn:aws:securityhub:us-east-1:123456789012:finding/def456')).toBeUndefined();
    expect(guardDutyFindingIdOf(undefined)).toBeUndefined();
  });
});
