import { readFileSync } from 'node:fs';
import { type Finding, parseFindings, type SeverityBand } from '@ir/contracts';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPlaybooks, type Playbook, planIncident } from '../../src/index.js';
import { ancestors, expectWellFormed, stepIds, stepOf } from './plan-assertions.js';

/*
 * The ecs-compromise playbook on GuardDuty's documented Runtime Monitoring finding for a Fargate task
 * (the contracts fixture names its sources), band by band as the response matrix says.
 */

let playbooks: Playbook[];
beforeAll(async () => {
  playbooks = await loadPlaybooks();
});

/** The documented sample (CryptoCurrency:Runtime/BitcoinTool.B!DNS, task 043de9ab3). */
function documentedFinding(band: SeverityBand): Finding {
  const url = new URL('../../../contracts/test/fixtures/guardduty-api-ecs-task.json', import.meta.url);
  const { payload } = JSON.parse(readFileSync(url, 'utf8')) as { payload: unknown };
  const [finding] = parseFindings(payload);
  if (!finding) throw new Error('the fixture parses to no finding');
  return { ...finding, severity: { ...finding.severity, band } };
}

const CLUSTER = 'GeneratedFindingECSClusterName';
const TASK_ARN = `arn:aws:ecs:us-east-1:123456789000:task/${CLUSTER}/043de9ab3`;
const KEY = `${CLUSTER}.043de9ab3`;

describe('ecs-compromise playbook', () => {
  it.each<[SeverityBand, string[]]>([
    ['LOW', [`collect-task:${KEY}`, 'notify-opened', 'seal-evidence', `tag-task:${KEY}`]],
    [
      'MEDIUM',
      [`collect-task:${KEY}`, 'notify-evidence-sealed', 'notify-opened', 'seal-evidence', `tag-task:${KEY}`],
    ],
    [
      'HIGH',
      [
        `collect-task:${KEY}`,
        `isolate-task:${KEY}`,
        `notify-contained:${KEY}`,
        'notify-evidence-sealed',
        'notify-opened',
        'seal-evidence',
        `stop-task:${KEY}`,
      ],
    ],
  ])('plans the %s band of the response matrix', (band, expected) => {
    // Prepare
    const finding = documentedFinding(band);
    // Act
    const plan = planIncident(finding, playbooks, { severityBand: band });
    // Assess
    expect(plan.playbookId).toBe('ecs-compromise');
    expectWellFormed(plan);
    expect(stepIds(plan)).toEqual(expected);
  });

  it('collects first, isolates after, stops only with approval, and never makes the seal wait for containment', () => {
    // Prepare
    const finding = documentedFinding('CRITICAL');
    // Act
    const plan = planIncident(finding, playbooks, { severityBand: 'CRITICAL' });
    // Assess
    expect(stepOf(plan, `collect-task:${KEY}`)).toMatchObject({
      action: 'evidence.collect-ecs-task',
      queue: 'forensics',
      params: { taskArn: TASK_ARN, cluster: CLUSTER },
      target: { accountId: '123456789000', region: 'us-east-1' },
    });
    const isolate = stepOf(plan, `isolate-task:${KEY}`);
    expect(isolate).toMatchObject({ action: 'contain.ecs-task', queue: 'isolator', containment: true });
    expect(isolate.params).toEqual({ taskArn: TASK_ARN, cluster: CLUSTER });
    expect(ancestors(plan, `isolate-task:${KEY}`).has(`collect-task:${KEY}`)).toBe(true);
    expect(isolate.approval).not.toBe('required');
    const stop = stepOf(plan, `stop-task:${KEY}`);
    expect(stop).toMatchObject({ action: 'contain.ecs-task-stop', approval: 'required' });
    expect(ancestors(plan, `stop-task:${KEY}`).has(`isolate-task:${KEY}`)).toBe(true);
    expect(ancestors(plan, 'seal-evidence').has(`isolate-task:${KEY}`)).toBe(false);
    const opened = stepOf(plan, 'notify-opened').params.details as { audience?: string };
    expect(opened.audience).toBe('on-call');
  });

  it('leaves an ECS finding without a task (cluster only) and an EKS runtime finding to other playbooks', () => {
    // Prepare
    const base = documentedFinding('HIGH');
    const clusterOnly: Finding = {
      ...base,
      resources: [{ kind: 'ecs-cluster', clusterName: CLUSTER, tags: {} }],
    };
    // Act, Assess
    expect(planIncident(clusterOnly, playbooks, { severityBand: 'HIGH' }).playbookId).toBe('generic');
  });
});
