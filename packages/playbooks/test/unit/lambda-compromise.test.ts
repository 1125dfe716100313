import { readFileSync } from 'node:fs';
import { type Finding, parseFindings, type SeverityBand } from '@ir/contracts';
import { guardDutyWorkloadFinding } from '@ir/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPlaybooks, type Playbook, planIncident } from '../../src/index.js';
import { ancestors, expectWellFormed, stepIds, stepOf } from './plan-assertions.js';

/*
 * The lambda-compromise playbook on GuardDuty's documented Lambda finding (the contracts fixture
 * names its sources), band by band as the response matrix says.
 */

let playbooks: Playbook[];
beforeAll(async () => {
  playbooks = await loadPlaybooks();
});

/** The documented sample (Backdoor:Lambda/C&CActivity.B, function invoice-renderer version 7). */
function documentedFinding(band: SeverityBand): Finding {
  const url = new URL('../../../contracts/test/fixtures/guardduty-eventbridge-lambda.json', import.meta.url);
  const { payload } = JSON.parse(readFileSync(url, 'utf8')) as { payload: unknown };
  const [finding] = parseFindings(payload);
  if (!finding) throw new Error('the fixture parses to no finding');
  return { ...finding, severity: { ...finding.severity, band } };
}

const FN = 'invoice-renderer';

describe('lambda-compromise playbook', () => {
  it.each<[SeverityBand, string[]]>([
    // LOW and MEDIUM tag the function (contain.tag-incident, not a containment).
    ['LOW', [`collect-lambda:${FN}`, 'notify-opened', 'seal-evidence', `tag-function:${FN}`]],
    [
      'MEDIUM',
      [
        `collect-execution-role:${FN}`,
        `collect-lambda:${FN}`,
        'notify-evidence-sealed',
        'notify-opened',
        'seal-evidence',
        `tag-function:${FN}`,
      ],
    ],
    [
      'HIGH',
      [
        `collect-execution-role:${FN}`,
        `collect-lambda:${FN}`,
        `notify-contained:${FN}`,
        'notify-evidence-sealed',
        'notify-opened',
        `revoke-execution-role:${FN}`,
        'seal-evidence',
        `stop-function:${FN}`,
      ],
    ],
  ])('plans the %s band of the response matrix', (band, expected) => {
    // Prepare
    const finding = documentedFinding(band);
    // Act
    const plan = planIncident(finding, playbooks, { severityBand: band });
    // Assess
    expect(plan.playbookId).toBe('lambda-compromise');
    expectWellFormed(plan);
    expect(stepIds(plan)).toEqual(expected);
  });

  it('collects first, stops the function and revokes its execution role after, and never makes the seal wait for containment', () => {
    // Prepare
    const finding = documentedFinding('CRITICAL');
    // Act
    const plan = planIncident(finding, playbooks, { severityBand: 'CRITICAL' });
    // Assess
    expect(stepOf(plan, `collect-lambda:${FN}`)).toMatchObject({
      action: 'evidence.collect-lambda',
      queue: 'forensics',
      params: { functionName: FN, qualifier: '7' },
      target: { accountId: '123456789012', region: 'us-east-1' },
    });
    expect(stepOf(plan, `collect-execution-role:${FN}`).params).toEqual({
      roleName: 'invoice-renderer-exec',
    });
    expect(stepOf(plan, `stop-function:${FN}`)).toMatchObject({
      action: 'contain.lambda-function',
      queue: 'isolator',
      containment: true,
      approval: 'none',
      params: { functionName: FN },
      after: [`collect-lambda:${FN}`],
    });
    expect(stepOf(plan, `revoke-execution-role:${FN}`)).toMatchObject({
      action: 'contain.role-sessions',
      containment: true,
      params: { roleName: 'invoice-renderer-exec' },
      after: [`collect-execution-role:${FN}`, `collect-lambda:${FN}`],
    });
    const seal = ancestors(plan, 'seal-evidence');
    expect(seal.has(`stop-function:${FN}`)).toBe(false);
    expect(seal.has(`revoke-execution-role:${FN}`)).toBe(false);
    expect(plan.notes).toHaveLength(2);
    expect(plan.notes[1]).toMatch(/Every workload that uses role invoice-renderer-exec/);
  });

  it('takes the Security Hub form of the type, and leaves Lambda findings to no other playbook', () => {
    // Prepare
    const asff = parseFindings(
      guardDutyWorkloadFinding({ resource: { kind: 'lambda' }, type: 'Execution:Lambda/MaliciousFile' }),
    )[0] as Finding;
    const shForm = { ...asff, type: 'TTPs/Command and Control/Backdoor:Lambda-C&CActivity.B' };
    // Act, Assess
    expect(planIncident(asff, playbooks).playbookId).toBe('lambda-compromise');
    expect(planIncident(shForm, playbooks).playbookId).toBe('lambda-compromise');
  });

  it('omits the role steps when the finding names no execution role', () => {
    // Prepare
    const finding = documentedFinding('HIGH');
    const withoutRole: Finding = {
      ...finding,
      resources: finding.resources.map((resource) =>
        resource.kind === 'lambda-function' ? { ...resource, roleArn: undefined } : resource,
      ),
    };
    // Act
    const plan = planIncident(withoutRole, playbooks, { severityBand: 'HIGH' });
    // Assess
    expect(stepIds(plan)).toContain(`stop-function:${FN}`);
    expect(stepIds(plan)).not.toContain(`revoke-execution-role:${FN}`);
    expect(plan.omitted.map((omitted) => omitted.action)).toContain('contain.role-sessions');
  });
});
