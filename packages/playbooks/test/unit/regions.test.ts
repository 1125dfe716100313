import { beforeAll, describe, expect, it } from 'vitest';
import type { Resource } from '@ir/contracts';
import { loadPlaybooks, type Playbook, planIncident } from '../../src/index.js';
import { bucket, instance, testFinding } from './findings.js';

describe('planIncident across regions', () => {
  let playbooks: Playbook[];
  beforeAll(async () => {
    playbooks = await loadPlaybooks();
  });

  it('targets each instance’s own region, and the finding’s region for resources without one', () => {
    // Prepare: a finding in eu-west-1 naming one instance there and one in us-east-2.
    const local = instance('i-0local', ['subnet-0local']);
    const remote = { ...instance('i-0remote', ['subnet-0remote']), region: 'us-east-2' } as Resource;
    const finding = testFinding({
      type: 'Backdoor:EC2/C&CActivity.B!DNS',
      band: 'CRITICAL',
      resources: [local, remote],
    });
    // Act
    const plan = planIncident(finding, playbooks);
    // Assess
    const regionsOf = (needle: string) =>
      new Set(plan.steps.filter((step) => step.stepId.includes(needle)).map((step) => step.target.region));
    expect(regionsOf('i-0remote')).toEqual(new Set(['us-east-2']));
    expect(regionsOf('i-0local')).toEqual(new Set(['eu-west-1']));
    expect(plan.steps.every((step) => step.target.accountId === finding.accountId)).toBe(true);
  });

  it('targets a bucket’s own region', () => {
    // Prepare
    const finding = testFinding({
      type: 'Policy:S3/BucketAnonymousAccessGranted',
      band: 'HIGH',
      resources: [{ ...bucket('logs-in-frankfurt'), region: 'eu-central-1' } as Resource],
    });
    // Act
    const plan = planIncident(finding, playbooks);
    // Assess
    const bucketSteps = plan.steps.filter((step) => step.stepId.includes('logs-in-frankfurt'));
    expect(bucketSteps.length).toBeGreaterThan(0);
    expect(new Set(bucketSteps.map((step) => step.target.region))).toEqual(new Set(['eu-central-1']));
  });
});
