import { readFileSync } from 'node:fs';
import { type Finding, parseFindings } from '@ir/contracts';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPlaybooks, type Playbook, planIncident } from '../../src/index.js';
import { expectWellFormed, stepIds, stepOf } from './plan-assertions.js';

type Json = Record<string, unknown>;

/** A sample next to the other finding samples, in packages/contracts/test/fixtures. */
function sample(name: string): Json {
  const url = new URL(`../../../contracts/test/fixtures/${name}`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as Json;
}

/** The Security Hub EC2.13 sample, with its control id, status and resource type changed. */
function controlFinding(controlId: string, changes: { status?: string; resource?: Json } = {}): Finding {
  const event = sample('security-hub-control-ec2-admin-ports.json');
  const asff = ((event.detail as Json).findings as Json[])[0] as Json;
  asff.Compliance = { Status: changes.status ?? 'FAILED', SecurityControlId: controlId };
  asff.GeneratorId = `security-control/${controlId}`;
  if (changes.resource) asff.Resources = [changes.resource];
  const [finding] = parseFindings(event);
  if (!finding) throw new Error('no finding');
  return finding;
}

const ACCOUNT = { Type: 'AwsAccount', Id: 'AWS::::Account:777788889999' };
const BUCKET = { Type: 'AwsS3Bucket', Id: 'arn:aws:s3:::example-public-assets' };
const TRAIL = {
  Type: 'AwsCloudTrailTrail',
  Id: 'arn:aws:cloudtrail:us-east-2:777788889999:trail/org-audit',
};

let playbooks: Playbook[];
beforeAll(async () => {
  playbooks = await loadPlaybooks();
});

describe('planIncident: cloudtrail-logging-disabled', () => {
  it('restarts the trail GuardDuty names at LOW severity, with who stopped it, and keeps the IAM evidence', () => {
    // Prepare
    const [finding] = parseFindings(sample('guardduty-eventbridge-cloudtrail-logging-disabled.json'));

    // Act
    const plan = planIncident(finding as Finding, playbooks);

    // Assess
    expect(plan.playbookId).toBe('cloudtrail-logging-disabled');
    expect(plan.severityBand).toBe('LOW');
    expect(stepIds(plan)).toEqual([
      'collect-iam:ops-automation.AKIAIOSFODNN7EXAMPLE',
      'notify-contained',
      'notify-opened',
      'restart-logging',
      'seal-evidence',
    ]);
    expect(stepOf(plan, 'restart-logging').params).toEqual({
      trail: 'arn:aws:cloudtrail:eu-west-1:777788889999:trail/management-events',
      stoppedBy: {
        userName: 'ops-automation',
        principalId: 'AIDAJQABLZS4A3QDU576Q',
        accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
        userType: 'IAMUser',
        api: 'StopLogging',
        sourceIp: '198.51.100.23',
      },
    });
    expect(stepOf(plan, 'restart-logging').containment).toBe(true);
    expectWellFormed(plan);
  });

  it('also quarantines the user who stopped logging at HIGH', () => {
    // Prepare
    const [finding] = parseFindings(sample('guardduty-eventbridge-cloudtrail-logging-disabled.json'));

    // Act
    const plan = planIncident(finding as Finding, playbooks, { severityBand: 'HIGH' });

    // Assess
    expect(stepIds(plan)).toContain('quarantine-user:ops-automation.AKIAIOSFODNN7EXAMPLE');
  });

  it('restarts every stopped trail when a CloudTrail.3 control finding names only the account', () => {
    // Act
    const plan = planIncident(controlFinding('CloudTrail.3', { resource: ACCOUNT }), playbooks);

    // Assess
    expect(plan.playbookId).toBe('cloudtrail-logging-disabled');
    expect(stepIds(plan)).toEqual(['notify-contained', 'notify-opened', 'restart-logging']);
    expect(stepOf(plan, 'restart-logging').params).toEqual({ stoppedBy: {} });
    expectWellFormed(plan);
  });

  it('restarts the trail a CloudTrail.1 finding names', () => {
    // Act
    const plan = planIncident(controlFinding('CloudTrail.1', { resource: TRAIL }), playbooks);

    // Assess
    expect(stepOf(plan, 'restart-logging').params.trail).toBe(TRAIL.Id);
  });
});

describe('planIncident: security-group-admin-ports-open', () => {
  for (const controlId of ['EC2.13', 'EC2.14', 'EC2.53', 'EC2.54']) {
    it(`revokes admin-port ingress of the named group for ${controlId}, in the group's region`, () => {
      // Act
      const plan = planIncident(controlFinding(controlId), playbooks);

      // Assess
      expect(plan.playbookId).toBe('security-group-admin-ports-open');
      const revoke = stepOf(plan, 'revoke-admin-ingress:sg-0a1b2c3d4e5f60718');
      expect(revoke.params).toEqual({ groupId: 'sg-0a1b2c3d4e5f60718' });
      expect(revoke.target).toEqual({ accountId: '777788889999', region: 'eu-west-1' });
      expect(stepOf(plan, 'notify-contained:sg-0a1b2c3d4e5f60718').after).toEqual([revoke.stepId]);
      expectWellFormed(plan);
    });
  }
});

describe('planIncident: Security Hub control routing', () => {
  it('routes S3.2, S3.3 and S3.8 on a bucket to s3-exposure', () => {
    // Act
    const ids = ['S3.2', 'S3.3', 'S3.8'].map(
      (id) => planIncident(controlFinding(id, { resource: BUCKET }), playbooks).playbookId,
    );

    // Assess
    expect(ids).toEqual(['s3-exposure', 's3-exposure', 's3-exposure']);
  });

  it('leaves controls no shipped remediation fixes, and passed controls, to generic', () => {
    // Prepare
    const findings = [
      controlFinding('EC2.13', { status: 'PASSED' }),
      controlFinding('EC2.19'),
      controlFinding('EC2.21'),
      controlFinding('CloudTrail.2', { resource: TRAIL }),
      controlFinding('S3.1', { resource: ACCOUNT }),
    ];

    // Act
    const ids = findings.map((finding) => planIncident(finding, playbooks).playbookId);

    // Assess
    expect(ids).toEqual(['generic', 'generic', 'generic', 'generic', 'generic']);
  });
});
