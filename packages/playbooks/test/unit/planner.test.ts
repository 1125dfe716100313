// biome-ignore-all lint/suspicious/noTemplateCurlyInString: playbook templates use ${variable} inside plain strings, on purpose.
import { describe, expect, it } from 'vitest';
import {
  type Playbook,
  type PlaybookInput,
  parsePlaybook,
  planIncident,
  planWithPlaybook,
} from '../../src/index.js';
import { iamUser, instance, testFinding } from './findings.js';
import { stepIds, stepOf } from './plan-assertions.js';

/** A playbook built in the test, validated exactly as the loader would. */
function playbookOf(input: PlaybookInput): Playbook {
  return parsePlaybook(JSON.stringify(input), `/test/${input.id}.yaml`);
}

const generic: PlaybookInput = {
  id: 'generic',
  name: 'Generic',
  priority: -1000,
  steps: [
    {
      id: 'notify',
      action: 'notify.incident',
      params: { stage: 'opened', severityBand: '${severityBand}', summary: 'x' },
    },
  ],
};

const chain: PlaybookInput = {
  id: 'chain',
  name: 'Chain',
  match: { resourceKinds: ['iam-access-key'] },
  steps: [
    {
      id: 'collect',
      action: 'evidence.collect-iam',
      forEach: 'principal',
      params: { userName: '${principal.userName}' },
    },
    {
      id: 'deactivate',
      action: 'contain.access-key',
      forEach: 'principal',
      params: { userName: '${principal.userName}', accessKeyId: '${principal.accessKeyId}' },
      after: ['collect'],
    },
    {
      id: 'quarantine',
      action: 'contain.iam-user',
      forEach: 'principal',
      params: { userName: '${principal.userName}' },
      after: ['deactivate'],
    },
  ],
};

const blockIp: PlaybookInput = {
  id: 'block',
  name: 'Block',
  steps: [
    {
      id: 'block-ip',
      action: 'contain.block-ip',
      forEach: ['subnet', 'remoteIp'],
      params: { subnetId: '${subnet.subnetId}', cidr: '${remoteIp.cidr}' },
      approval: 'required',
    },
  ],
};

describe('planWithPlaybook', () => {
  it('reports a step the finding lacks data for, and the next step waits for what it waited for', () => {
    // Prepare
    const finding = testFinding({ type: 'CredentialAccess:IAMUser/X', resources: [iamUser('bob', null)] });

    // Act
    const plan = planWithPlaybook(finding, playbookOf(chain));

    // Assess
    expect(stepIds(plan)).toEqual(['collect:bob', 'quarantine:bob']);
    expect(stepOf(plan, 'quarantine:bob').after).toEqual(['collect:bob']);
    expect(plan.omitted).toEqual([
      {
        stepId: 'deactivate:bob',
        action: 'contain.access-key',
        reason: 'contain.access-key needs principal.accessKeyId, which the finding does not give',
      },
    ]);
  });

  it('plans one step per item and links each to the steps for the same item', () => {
    // Prepare
    const finding = testFinding({
      type: 'CredentialAccess:IAMUser/X',
      resources: [iamUser('bob', 'AKIABOB'), iamUser('amy', 'AKIAAMY')],
    });

    // Act
    const plan = planWithPlaybook(finding, playbookOf(chain));

    // Assess
    expect(plan.steps.map((step) => step.stepId)).toEqual([
      'collect:amy.AKIAAMY',
      'collect:bob.AKIABOB',
      'deactivate:amy.AKIAAMY',
      'deactivate:bob.AKIABOB',
      'quarantine:amy.AKIAAMY',
      'quarantine:bob.AKIABOB',
    ]);
    expect(stepOf(plan, 'deactivate:bob.AKIABOB').after).toEqual(['collect:bob.AKIABOB']);
  });

  it('uses the severity band detection classified, not only the finding’s own', () => {
    // Prepare
    const playbook = playbookOf({
      ...chain,
      steps: [
        {
          ...(chain.steps[0] as object),
          when: { minSeverity: 'CRITICAL' },
        } as PlaybookInput['steps'][number],
      ],
    });
    const finding = testFinding({
      type: 'CredentialAccess:IAMUser/X',
      band: 'MEDIUM',
      resources: [iamUser()],
    });

    // Act
    const asFound = planWithPlaybook(finding, playbook);
    const asClassified = planWithPlaybook(finding, playbook, { severityBand: 'CRITICAL' });

    // Assess
    expect(asFound.steps).toEqual([]);
    expect(asClassified.severityBand).toBe('CRITICAL');
    expect(stepIds(asClassified)).toEqual(['collect:alice.AKIAEXAMPLEALICE']);
  });

  it('reports a block that cannot be planned because the instance has no subnet', () => {
    // Prepare
    const playbook = playbookOf(blockIp);
    const finding = testFinding({
      type: 'Recon:EC2/Portscan',
      resources: [instance('i-0aaa', [])],
      remoteIps: ['2001:db8::1'],
    });

    // Act
    const plan = planWithPlaybook(finding, playbook);

    // Assess
    expect(plan.steps).toEqual([]);
    expect(plan.omitted).toEqual([
      {
        stepId: 'block-ip',
        action: 'contain.block-ip',
        reason: 'the finding names no subnet (no ENI with a subnet id)',
      },
    ]);
  });

  it('blocks an IPv6 remote address as a /128', () => {
    // Prepare
    const playbook = playbookOf(blockIp);
    const finding = testFinding({
      type: 'Recon:EC2/Portscan',
      resources: [instance('i-0aaa')],
      remoteIps: ['2001:db8::1'],
    });

    // Act
    const plan = planWithPlaybook(finding, playbook);

    // Assess
    expect(plan.steps.map((step) => [step.stepId, step.params])).toEqual([
      ['block-ip:subnet-0aaa:2001:db8::1', { subnetId: 'subnet-0aaa', cidr: '2001:db8::1/128' }],
    ]);
  });

  it('carries a step’s two approvers into the plan, and one approver by default', () => {
    // Prepare
    const twoApprovers = playbookOf({
      ...chain,
      steps: chain.steps.map((step) =>
        step.id === 'quarantine' ? { ...step, approval: 'required' as const, approvers: 2 as const } : step,
      ),
    });
    const finding = testFinding({
      type: 'CredentialAccess:IAMUser/X',
      resources: [iamUser('bob', 'AKIABOB')],
    });

    // Act
    const plan = planWithPlaybook(finding, twoApprovers);

    // Assess
    expect(stepOf(plan, 'quarantine:bob.AKIABOB')).toMatchObject({ approval: 'required', approvers: 2 });
    expect(stepOf(plan, 'deactivate:bob.AKIABOB')).toMatchObject({ approval: 'none', approvers: 1 });
  });
});

describe('planIncident determinism', () => {
  const playbooks = [playbookOf(chain), playbookOf(generic)];

  it('gives the same plan for the same input, every time', () => {
    // Prepare
    const finding = testFinding({
      type: 'CredentialAccess:IAMUser/X',
      resources: [iamUser('bob', 'AKIABOB'), iamUser()],
    });

    // Act
    const first = planIncident(finding, playbooks);
    const second = planIncident(structuredClone(finding), [...playbooks].reverse());

    // Assess
    expect(JSON.stringify(second)).toBe(JSON.stringify(first));
  });

  it('does not depend on the order of the finding’s resources', () => {
    // Prepare
    const resources = [iamUser('bob', 'AKIABOB'), iamUser('amy', 'AKIAAMY'), iamUser('cy', 'AKIACY')];
    const forward = testFinding({ type: 'CredentialAccess:IAMUser/X', resources });
    const backward = testFinding({ type: 'CredentialAccess:IAMUser/X', resources: [...resources].reverse() });

    // Act
    const a = planIncident(forward, playbooks);
    const b = planIncident(backward, playbooks);

    // Assess
    expect(b).toEqual(a);
  });

  it('does not modify the finding or the playbooks', () => {
    // Prepare
    const finding = testFinding({ type: 'CredentialAccess:IAMUser/X', resources: [iamUser()] });
    const before = JSON.stringify({ finding, playbooks });

    // Act
    planIncident(finding, playbooks);

    // Assess
    expect(JSON.stringify({ finding, playbooks })).toBe(before);
  });
});
