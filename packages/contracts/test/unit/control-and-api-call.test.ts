import { parseFindings, parseGuardDutyApi } from '@ir/contracts';
import { describe, expect, it } from 'vitest';
import { fixture } from '../fixtures/load-fixture.js';

type Json = Record<string, unknown>;

/** The first ASFF finding of a Security Hub event fixture, for variations. */
function firstAsff(event: Json): Json {
  return ((event.detail as Json).findings as Json[])[0] as Json;
}

describe('parseSecurityHubEvent: control findings', () => {
  it('keeps the control id and compliance status, and names the security group, trail-less account or bucket', () => {
    // Prepare
    const events = [
      'security-hub-control-ec2-admin-ports.json',
      'security-hub-control-cloudtrail.json',
      'security-hub-control-s3-public-access.json',
    ].map(fixture);

    // Act
    const findings = events.flatMap((event) => parseFindings(event));

    // Assess
    expect(findings.map((f) => [f.controlId, f.complianceStatus])).toEqual([
      ['EC2.13', 'FAILED'],
      ['CloudTrail.3', 'FAILED'],
      ['S3.8', 'FAILED'],
    ]);
    expect(findings.map((f) => f.resources[0])).toEqual([
      {
        kind: 'other',
        resourceType: 'AwsEc2SecurityGroup',
        id: 'arn:aws:ec2:eu-west-1:777788889999:security-group/sg-0a1b2c3d4e5f60718',
      },
      { kind: 'other', resourceType: 'AwsAccount', id: 'AWS::::Account:777788889999' },
      expect.objectContaining({ kind: 's3-bucket', bucketName: 'example-public-assets' }),
    ]);
  });

  it('reads the control id from ProductFields.ControlId or a standard GeneratorId when Compliance has none', () => {
    // Prepare
    const byProductFields = fixture('security-hub-control-ec2-admin-ports.json');
    const asff = firstAsff(byProductFields);
    asff.Compliance = { Status: 'FAILED' };
    asff.ProductFields = { ControlId: 'EC2.14' };
    const byGenerator = fixture('security-hub-control-ec2-admin-ports.json');
    const other = firstAsff(byGenerator);
    other.Compliance = { Status: 'PASSED' };
    other.GeneratorId = 'aws-foundational-security-best-practices/v/1.0.0/EC2.53';

    // Act
    const [first] = parseFindings(byProductFields);
    const [second] = parseFindings(byGenerator);

    // Assess
    expect(first?.controlId).toBe('EC2.14');
    expect(second?.controlId).toBe('EC2.53');
    expect(second?.complianceStatus).toBe('PASSED');
  });

  it('gives product findings (GuardDuty through Security Hub) no control id, and the control finding beside them its own', () => {
    // Act
    const findings = parseFindings(fixture('security-hub-imported-three.json'));

    // Assess
    expect(findings.map((f) => f.controlId)).toEqual([undefined, 'S3.8', undefined]);
  });
});

describe('GuardDuty parsers: the API call', () => {
  it('keeps the API, caller and affected trail of CloudTrailLoggingDisabled', () => {
    // Act
    const [finding] = parseFindings(fixture('guardduty-eventbridge-cloudtrail-logging-disabled.json'));

    // Assess
    expect(finding?.apiCall).toEqual({
      api: 'StopLogging',
      serviceName: 'cloudtrail.amazonaws.com',
      callerType: 'Remote IP',
      affectedResources: {
        'AWS::CloudTrail::Trail': 'arn:aws:cloudtrail:eu-west-1:777788889999:trail/management-events',
      },
    });
    expect(finding?.resources).toEqual([
      {
        kind: 'iam-access-key',
        accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
        principalId: 'AIDAJQABLZS4A3QDU576Q',
        userName: 'ops-automation',
        userType: 'IAMUser',
      },
    ]);
  });

  it('keeps AWS resource type keys as AWS spells them in the API format (no camelCase)', () => {
    // Prepare
    const response = fixture('guardduty-api-get-findings.json');
    const first = (response.Findings as Json[])[0] as Json;
    const action = (first.Service as Json).Action as Json;
    action.AwsApiCallAction = {
      Api: 'StopLogging',
      AffectedResources: { 'AWS::CloudTrail::Trail': 'arn:aws:cloudtrail:us-east-1:123456789012:trail/t' },
    };

    // Act
    const [finding] = parseGuardDutyApi(first);

    // Assess
    expect(finding?.apiCall).toEqual({
      api: 'StopLogging',
      affectedResources: { 'AWS::CloudTrail::Trail': 'arn:aws:cloudtrail:us-east-1:123456789012:trail/t' },
    });
  });
});
