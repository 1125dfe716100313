import { readFileSync } from 'node:fs';
import { type Finding, parseFindings, type SeverityBand } from '@ir/contracts';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPlaybooks, type Playbook, planIncident } from '../../src/index.js';
import { ancestors, expectWellFormed, stepIds, stepOf } from './plan-assertions.js';

let playbooks: Playbook[];
beforeAll(async () => {
  playbooks = await loadPlaybooks();
});

/** A documented sample of packages/contracts/test/fixtures, parsed, at `band`. */
function documented(fileName: string, band: SeverityBand): Finding {
  const url = new URL(`../../../contracts/test/fixtures/${fileName}`, import.meta.url);
  const { payload } = JSON.parse(readFileSync(url, 'utf8')) as { payload: unknown };
  const [finding] = parseFindings(payload);
  if (!finding) throw new Error(`${fileName} parses to no finding`);
  return { ...finding, severity: { ...finding.severity, band } };
}

/** GuardDuty's Runtime Monitoring sample on an EKS pod (with its node). */
const runtime = (band: SeverityBand) => documented('guardduty-eventbridge-eks-runtime.json', band);
/** GuardDuty's EKS audit-log sample (Discovery:Kubernetes/TorIPCaller), a cluster without a workload. */
const audit = (band: SeverityBand) => documented('guardduty-api-eks-audit.json', band);

const POD =
  'GeneratedFindingEKSClusterName.GeneratedFindingKubernetesWorkloadNamespace.GeneratedFindingKubernetesWorkloadName';
const NODE = 'i-0f1e2d3c4b5a69788';

describe('eks-compromise playbook', () => {
  it('contains the pod on both sides at HIGH: network policy, cordon, node isolation, role sessions', () => {
    // Act
    const plan = planIncident(runtime('HIGH'), playbooks, { severityBand: 'HIGH' });
    // Assess
    expect(plan.playbookId).toBe('eks-compromise');
    expectWellFormed(plan);
    expect(stepOf(plan, `isolate-pod:${POD}`).params).toEqual({
      clusterName: 'GeneratedFindingEKSClusterName',
      namespace: 'GeneratedFindingKubernetesWorkloadNamespace',
      podName: 'GeneratedFindingKubernetesWorkloadName',
    });
    expect(stepOf(plan, `revoke-workload-role:${POD}`).params).toMatchObject({
      serviceAccountName: 'GeneratedFindingServiceAccountName',
    });
    expect(stepOf(plan, `isolate-node:${NODE}`).params).toEqual({ instanceId: NODE });
    expect(ancestors(plan, `isolate-node:${NODE}`)).toEqual(
      new Set([`capture-node:${NODE}`, `snapshot-node:${NODE}`]),
    );
    expect(stepOf(plan, `restrict-workload-endpoint:${POD}`).approval).toBe('required');
    expect(stepOf(plan, `isolate-pod:${POD}`).approval).toBe('none');
    expect(stepOf(plan, `collect-workload:${POD}`).params).toMatchObject({
      nodeInstanceId: NODE,
      workloadUid: 'GeneratedFindingKubernetesWorkloadUID',
    });
    expect(plan.notes.join(' ')).toContain('every pod using that service account');
  });

  it.each<[SeverityBand, string[]]>([
    ['LOW', [`capture-node:${NODE}`, `collect-workload:${POD}`, 'notify-opened', 'seal-evidence']],
    [
      'MEDIUM',
      [
        `capture-node:${NODE}`,
        `collect-workload:${POD}`,
        'notify-evidence-sealed',
        'notify-opened',
        'seal-evidence',
        `snapshot-node:${NODE}`,
      ],
    ],
  ])('records evidence and contains nothing at %s', (band, expected) => {
    // Act
    const plan = planIncident(runtime(band), playbooks, { severityBand: band });
    // Assess
    expect(stepIds(plan)).toEqual(expected);
  });

  it('records the cluster of an audit-log finding and restricts its endpoint only with approval', () => {
    // Act
    const plan = planIncident(audit('HIGH'), playbooks, { severityBand: 'HIGH' });
    // Assess
    expect(plan.playbookId).toBe('eks-compromise');
    expect(stepIds(plan).filter((id) => id.includes(':'))).toEqual([
      'collect-cluster:GeneratedFindingEKSClusterName',
      'restrict-cluster-endpoint:GeneratedFindingEKSClusterName',
    ]);
    expect(stepOf(plan, 'restrict-cluster-endpoint:GeneratedFindingEKSClusterName').approval).toBe(
      'required',
    );
  });

  it('leaves the EKS attack sequence to attack-sequence', () => {
    // Prepare
    const sequence = documented('guardduty-eventbridge-attack-sequence-eks.json', 'CRITICAL');
    // Act, Assess
    expect(planIncident(sequence, playbooks, { severityBand: 'CRITICAL' }).playbookId).toBe(
      'attack-sequence',
    );
  });
});
