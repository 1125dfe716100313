import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import { unsuppressedNagFindings } from '../src/nag-findings.js';
import { buildTestApp } from './build.js';

describe('cdk-nag AwsSolutions on the app', () => {
  it('reports no unacknowledged error or warning in either stack', () => {
    // Prepare
    const { system, member } = buildTestApp({
      organizationId: 'o-abcdefghij',
      notifierEnvironment: '{"IR_SECURITYHUB_ENABLED":"true"}',
      findingSync: 'true',
      guardDutyArchiveFalsePositives: 'true',
    });
    // Act
    const findings = [...unsuppressedNagFindings(system), ...unsuppressedNagFindings(member)];
    // Assess
    expect(findings).toEqual([]);
  }, 60_000);

  it('does report a finding that nobody acknowledged (the check itself works)', () => {
    // Prepare
    const stack = new Stack(new App(), 'Probe');
    new sqs.Queue(stack, 'NoDlqNoTls');
    // Act
    const findings = unsuppressedNagFindings(stack);
    // Assess
    expect(findings.some((finding) => finding.startsWith('AwsSolutions-SQS3'))).toBe(true);
    expect(findings.some((finding) => finding.startsWith('AwsSolutions-SQS4'))).toBe(true);
  });

  it('fails on a wildcard added to an act policy that nobody acknowledged', () => {
    // Prepare
    const { system } = buildTestApp();
    const policy = system.node.findChild('IsolatorActPolicy') as iam.ManagedPolicy;
    // Act
    policy.addStatements(
      new iam.PolicyStatement({ actions: ['ec2:DescribeImages'], resources: ['arn:aws:ec2:*:*:image/*'] }),
    );
    const findings = unsuppressedNagFindings(system);
    // Assess
    expect(findings).toEqual([
      expect.stringMatching(/^AwsSolutions-IAM5\[Resource::arn:aws:ec2:\*:\*:image\/\*\]/),
    ]);
  }, 60_000);

  it('writes every acknowledgement with its reason into the templates as an audit trail', () => {
    // Prepare
    const { systemTemplate } = buildTestApp();
    // Act
    const acknowledged = Object.values(
      systemTemplate.toJSON().Resources as Record<
        string,
        { Metadata?: { cdk_nag?: { rules_to_suppress: { id: string; reason: string }[] } } }
      >,
    ).flatMap((resource) => resource.Metadata?.cdk_nag?.rules_to_suppress ?? []);
    // Assess
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const rule of acknowledged) expect(rule.reason.length).toBeGreaterThan(40);
  }, 60_000);
});
