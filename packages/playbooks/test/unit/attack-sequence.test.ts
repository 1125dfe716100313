import { readFileSync } from 'node:fs';
import { type Finding, parseFindings, type SeverityBand } from '@ir/contracts';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPlaybooks, type Playbook, planIncident } from '../../src/index.js';
import { ancestors, expectWellFormed, stepIds, stepOf } from './plan-assertions.js';

let playbooks: Playbook[];
beforeAll(async () => {
  playbooks = await loadPlaybooks();
});

/**
 * AWS's documented EKS attack-sequence sample (AttackSequence:EKS/CompromisedCluster): an EKS cluster,
 * a pod, its container, the node i-0node0000000000001, the role `deployer` and the nodes' Auto Scaling group.
 */
function eksSequence(band: SeverityBand): Finding {
  const url = new URL(
    '../../../contracts/test/fixtures/guardduty-eventbridge-attack-sequence-eks.json',
    import.meta.url,
  );
  const { payload } = JSON.parse(readFileSync(url, 'utf8')) as { payload: unknown };
  const [finding] = parseFindings(payload);
  if (!finding) throw new Error('the fixture parses to no finding');
  return { ...finding, severity: { ...finding.severity, band } };
}

const CLUSTER = 'orders';
const POD = 'payments-prod.payments.miner-7d9f8';
const task = (id: string) => ({
  kind: 'ecs-task' as const,
  taskArn: `arn:aws:ecs:us-east-1:123456789012:task/${CLUSTER}/${id}`,
  clusterName: CLUSTER,
  containers: [],
  networkInterfaces: [],
  tags: {},
});

describe('attack-sequence playbook', () => {
  it('contains each resource of the documented EKS sequence with its own step, after its evidence', () => {
    // Prepare
    const finding = eksSequence('CRITICAL');
    // Act
    const plan = planIncident(finding, playbooks, { severityBand: 'CRITICAL' });
    // Assess
    expect(plan.playbookId).toBe('attack-sequence');
    expectWellFormed(plan);
    const ids = stepIds(plan);
    expect(ids).toContain('isolate-instance:i-0node0000000000001');
    expect(ids).toContain('revoke-role-sessions:deployer');
    expect(stepOf(plan, 'revoke-role-sessions:deployer').params).toEqual({ roleName: 'deployer' });
    expect(ancestors(plan, 'isolate-instance:i-0node0000000000001')).toContain(
      'capture-instance:i-0node0000000000001',
    );
    expect(ancestors(plan, 'revoke-role-sessions:deployer')).toContain('collect-iam:deployer');
    expect(ancestors(plan, 'notify-contained')).toEqual(
      new Set([
        'isolate-instance:i-0node0000000000001',
        'capture-instance:i-0node0000000000001',
        'snapshot-volumes:i-0node0000000000001',
        'revoke-role-sessions:deployer',
        'collect-iam:deployer',
        `isolate-pod:${POD}`,
        `cordon-node:${POD}`,
        `collect-workload:${POD}`,
      ]),
    );
    expect(stepOf(plan, `isolate-pod:${POD}`).params).toEqual({
      clusterName: 'payments-prod',
      namespace: 'payments',
      podName: 'miner-7d9f8',
    });
    expect(stepOf(plan, 'restrict-cluster-endpoint:payments-prod').approval).toBe('required');
    // The sample's pod names no service account: the role step is reported as not planned, not dropped.
    expect(plan.omitted.map((step) => step.stepId)).toEqual([`revoke-workload-role:${POD}`]);
  });

  it.each<[SeverityBand, boolean]>([
    ['LOW', false],
    ['MEDIUM', false],
    ['HIGH', true],
    ['CRITICAL', true],
  ])('at %s, records evidence of every resource and contains them only from HIGH', (band, contains) => {
    // Prepare
    const finding = eksSequence(band);
    // Act
    const plan = planIncident(finding, playbooks, { severityBand: band });
    // Assess
    const ids = stepIds(plan);
    expect(ids).toContain('capture-instance:i-0node0000000000001');
    expect(ids).toContain('collect-iam:deployer');
    expect(ids).toContain('seal-evidence');
    expect(plan.steps.some((step) => step.containment)).toBe(contains);
    const opened = stepOf(plan, 'notify-opened').params.details as { audience?: string };
    expect(opened.audience).toBe(band === 'CRITICAL' ? 'on-call' : band === 'LOW' ? 'low-priority' : 'team');
  });

  it('isolates each ECS task of an ECS sequence, and is chosen over ecs-compromise', () => {
    // Prepare
    const finding: Finding = {
      ...eksSequence('HIGH'),
      type: 'AttackSequence:ECS/CompromisedCluster',
      resources: [{ kind: 'ecs-cluster', clusterName: CLUSTER, tags: {} }, task('aaa111'), task('bbb222')],
    };
    // Act
    const plan = planIncident(finding, playbooks, { severityBand: 'HIGH' });
    // Assess
    expect(plan.playbookId).toBe('attack-sequence');
    expect(stepIds(plan).filter((id) => id.startsWith('isolate-task:'))).toEqual([
      `isolate-task:${CLUSTER}.aaa111`,
      `isolate-task:${CLUSTER}.bbb222`,
    ]);
  });

  it('locks down a bucket of an S3 sequence only with approval, and contains its principal at once', () => {
    // Prepare
    const finding: Finding = {
      ...eksSequence('HIGH'),
      type: 'AttackSequence:S3/CompromisedData',
      resources: [
        { kind: 's3-bucket', bucketName: 'customer-exports', tags: {} },
        {
          kind: 'iam-access-key',
          userType: 'IAMUser',
          userName: 'ci-bot',
          accessKeyId: 'AKIAEXAMPLEKEY000001',
        },
      ],
    };
    // Act
    const plan = planIncident(finding, playbooks, { severityBand: 'HIGH' });
    // Assess
    expect(stepOf(plan, 'lock-down-bucket:customer-exports').approval).toBe('required');
    expect(stepOf(plan, 'deactivate-key:ci-bot.AKIAEXAMPLEKEY000001').approval).toBe('none');
    expect(stepOf(plan, 'quarantine-user:ci-bot.AKIAEXAMPLEKEY000001').approval).toBe('none');
  });

  it('leaves a finding that is not a sequence to its family playbook', () => {
    // Prepare
    const finding: Finding = {
      ...eksSequence('HIGH'),
      type: 'Execution:Runtime/NewBinaryExecuted',
      resources: [task('ccc333')],
    };
    // Act, Assess
    expect(planIncident(finding, playbooks, { severityBand: 'HIGH' }).playbookId).toBe('ecs-compromise');
  });
});
