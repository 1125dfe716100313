import { type Finding, parseFindings } from '@ir/contracts';
import {
  guardDutyEventBridgeFinding,
  guardDutyWorkloadFinding,
  securityHubV2Event,
  type WorkloadResourceOptions,
} from '@ir/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPlaybooks, type Playbook, planIncident } from '../../src/index.js';

/*
 * Issue 20: findings about the new resource kinds reach their family's playbook, never an EC2, IAM or
 * S3 playbook that happens to match their finding type; attack sequences reach attack-sequence.
 */

let playbooks: Playbook[];
beforeAll(async () => {
  playbooks = await loadPlaybooks();
});

function parsed(input: unknown): Finding {
  const [finding] = parseFindings(input);
  if (!finding) throw new Error('no finding');
  return finding;
}

describe('findings about the new resource kinds', () => {
  const kinds: [WorkloadResourceOptions['kind'], string][] = [
    ['eks-pod', 'Backdoor:Runtime/C&CActivity.B!DNS'],
  ];

  it.each(kinds)('plan the eks-compromise playbook for a %s finding (%s)', (kind, type) => {
    // Prepare
    const finding = parsed(guardDutyWorkloadFinding({ resource: { kind } as WorkloadResourceOptions, type }));
    // Act
    const plan = planIncident(finding, playbooks);
    // Assess
    expect(plan.playbookId).toBe('eks-compromise');
    expect(plan.steps.length).toBeGreaterThan(0);
  });

  it('plan the attack-sequence playbook for an S3 attack sequence, not the generic one', () => {
    // Prepare
    const finding = parsed(
      guardDutyEventBridgeFinding({ type: 'AttackSequence:S3/CompromisedData', resource: { kind: 's3' } }),
    );
    // Act
    const plan = planIncident(finding, playbooks);
    // Assess
    expect(plan.playbookId).toBe('attack-sequence');
  });

  it('still plan the S3 playbook for an S3 finding that is not an attack sequence', () => {
    // Prepare
    const finding = parsed(
      guardDutyEventBridgeFinding({
        type: 'Policy:S3/BucketAnonymousAccessGranted',
        resource: { kind: 's3' },
      }),
    );
    // Act, Assess
    expect(planIncident(finding, playbooks).playbookId).toBe('s3-exposure');
  });

  it('route a Security Hub v2 (OCSF) EC2 finding like the ASFF one: to ec2-compromise', () => {
    // Prepare
    const finding = parsed(securityHubV2Event({ type: 'Backdoor:EC2/C&CActivity.B!DNS', severityId: 4 }));
    // Act, Assess
    expect(planIncident(finding, playbooks).playbookId).toBe('ec2-compromise');
  });
});
