import { buildMessage, Finding, type SeverityBand } from '@ir/contracts';
import { loadPlaybooks, type Playbook, planIncident } from '@ir/playbooks';
import { beforeAll, describe, expect, it } from 'vitest';
import { openIncident } from '../../src/state/open.js';
import type { Planner } from '../../src/state/plan-steps.js';
import { incidentUpdated } from '../../src/state/replan-on-update.js';
import { committed, context, opened } from './fixtures.js';

/*
 * Issue 20, attack sequences: a sequence that joins an incident already open about one of its
 * resources gets its other resources planned (with the shipped attack-sequence playbook), each with
 * its own step; the resource the incident already had keeps its steps.
 */

let planner: Planner;
beforeAll(async () => {
  const playbooks: Playbook[] = await loadPlaybooks();
  planner = (finding, band) => planIncident(finding, playbooks, { severityBand: band });
});

const TASK = 'arn:aws:ecs:eu-west-1:111122223333:task/orders/aaa111';

function sequenceFinding(options: { sequence: boolean; band?: SeverityBand }): Finding {
  return Finding.parse({
    source: 'guardduty',
    id: 'f-seq',
    type: options.sequence ? 'AttackSequence:ECS/CompromisedCluster' : 'Execution:Runtime/NewBinaryExecuted',
    title: 'Potential compromise of ECS cluster',
    severity: { score: 9, band: options.band ?? 'CRITICAL' },
    accountId: '111122223333',
    region: 'eu-west-1',
    createdAt: '2024-05-02T14:05:00.000Z',
    updatedAt: '2024-05-02T14:05:00.000Z',
    count: 1,
    sample: false,
    resources: [
      { kind: 'ec2-instance', instanceId: 'i-1', tags: {} },
      { kind: 'ecs-task', taskArn: TASK, clusterName: 'orders', tags: {} },
      { kind: 'iam-access-key', userType: 'AssumedRole', roleName: 'deployer', tags: {} },
    ],
    ...(options.sequence ? { sequence: { uid: 'seq-1' } } : {}),
    raw: {},
  });
}

function joined(finding: Finding) {
  return buildMessage('incident.updated', {
    incidentId: 'inc-1',
    correlationId: 'corr-1',
    causationId: null,
    producer: 'detection',
    dryRun: false,
    payload: { finding, receivedAt: '2024-05-02T14:05:01.000Z', reason: 'attached' },
  });
}

/** The incident `opened()` makes (an EC2 finding about i-1, ec2-compromise at HIGH), committed. */
function ec2Incident() {
  return committed(openIncident(opened(), planner, context()));
}

describe('an attack sequence joining an open incident', () => {
  it('plans its new resources, each with its own step, and leaves the known one to its steps', () => {
    // Prepare
    const aggregate = ec2Incident();
    expect(aggregate.incident.playbookId).toBe('ec2-compromise');
    const before = new Set(aggregate.steps.map((step) => step.stepId));
    // Act
    const draft = incidentUpdated(aggregate, joined(sequenceFinding({ sequence: true })), planner, context());
    // Assess
    const added = draft.steps.map((step) => step.stepId).filter((id) => !before.has(id));
    expect(added).toContain('join-1.isolate-task:orders.aaa111');
    expect(added).toContain('join-1.collect-task:orders.aaa111');
    expect(added).toContain('join-1.revoke-role-sessions:deployer');
    expect(added).toContain('join-1.seal-evidence');
    expect(added.filter((id) => id.includes('i-1'))).toEqual([]);
    expect(added).not.toContain('join-1.notify-opened');
    const isolate = draft.steps.find((step) => step.stepId === 'join-1.isolate-task:orders.aaa111');
    expect(isolate?.after).toEqual(['join-1.collect-task:orders.aaa111']);
    expect(draft.incident.resources.map((r) => r.key)).toEqual([
      'ec2-instance:i-1',
      `ecs-task:${TASK}`,
      'iam-access-key:role/deployer',
    ]);
    expect(draft.toTransition().timeline.map((entry) => entry.kind)).toContain('sequence-resources-planned');
  });

  it('plans nothing new for a finding that is not a sequence', () => {
    // Prepare
    const aggregate = ec2Incident();
    const before = aggregate.steps.map((step) => step.stepId);
    // Act
    const draft = incidentUpdated(
      aggregate,
      joined(sequenceFinding({ sequence: false, band: 'HIGH' })),
      planner,
      context(),
    );
    // Assess
    expect(draft.steps.map((step) => step.stepId)).toEqual(before);
  });

  it('plans nothing for a rolled-back incident, but records the resources and asks a person, paging', () => {
    // Prepare: a person rolled the incident back; its resources' coalescing window is still open
    const open = ec2Incident();
    const aggregate = { ...open, incident: { ...open.incident, status: 'rolled-back' as const } };
    // Act
    const draft = incidentUpdated(aggregate, joined(sequenceFinding({ sequence: true })), planner, context());
    // Assess
    expect(draft.steps.filter((step) => step.stepId.startsWith('join-'))).toEqual([]);
    const entry = draft.toTransition().timeline.find((e) => e.kind === 'sequence-resources-not-planned');
    expect(entry?.detail).toMatchObject({
      status: 'rolled-back',
      resources: [`ecs-task:${TASK}`, 'iam-access-key:role/deployer'],
    });
    const notice = draft.steps.find((step) => step.stepId === 'notify:sequence-not-planned:f-seq');
    expect(notice?.params).toMatchObject({
      stage: 'approval-needed',
      details: { page: true, resources: [`ecs-task:${TASK}`, 'iam-access-key:role/deployer'] },
    });
  });
});
