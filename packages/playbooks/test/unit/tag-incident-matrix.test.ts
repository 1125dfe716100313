import type { Resource, SeverityBand } from '@ir/contracts';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPlaybooks, type Playbook, planIncident } from '../../src/index.js';
import { assumedRole, iamUser, instance, testFinding } from './findings.js';
import { expectWellFormed, stepOf } from './plan-assertions.js';

let playbooks: Playbook[];
beforeAll(async () => {
  playbooks = await loadPlaybooks();
});

/** The actions of a plan, each once, sorted (what kinds of work the band gets). */
function actionsOf(type: string, band: SeverityBand, resources: Resource[]) {
  const plan = planIncident(testFinding({ type, band, resources }), playbooks);
  expectWellFormed(plan);
  return { plan, actions: [...new Set(plan.steps.map((step) => step.action))].sort() };
}

/**
 * The severity matrix's LOW and MEDIUM rows (seed 003): LOW tags the resource and notifies; MEDIUM
 * tags, collects the family's evidence and notifies. The tag is not a containment, so it takes no
 * blast-radius slot and no protected-resource hold, and HIGH and CRITICAL plans do not change.
 */
describe('contain.tag-incident in the severity matrix', () => {
  const ec2 = 'Backdoor:EC2/C&CActivity.B!DNS';

  it('plans tag + notify for a LOW EC2 finding, and tag + evidence + notify for MEDIUM', () => {
    // Act
    const low = actionsOf(ec2, 'LOW', [instance('i-0aaa')]);
    const medium = actionsOf(ec2, 'MEDIUM', [instance('i-0aaa')]);
    // Assess
    expect(low.plan.playbookId).toBe('ec2-compromise');
    expect(low.actions).toContain('contain.tag-incident');
    expect(low.actions).toContain('notify.incident');
    expect(low.actions.filter((action) => action.startsWith('contain.'))).toEqual(['contain.tag-incident']);
    expect(medium.actions).toEqual(
      expect.arrayContaining([
        'contain.tag-incident',
        'evidence.capture-instance',
        'evidence.snapshot-volumes',
        'evidence.collect-volatile',
        'evidence.seal',
        'notify.incident',
      ]),
    );
    expect(medium.actions.filter((action) => action.startsWith('contain.'))).toEqual([
      'contain.tag-incident',
    ]);
    for (const [band, plan] of [
      ['LOW', low.plan],
      ['MEDIUM', medium.plan],
    ] as const) {
      const tag = stepOf(plan, 'tag-instance:i-0aaa');
      expect(tag.params).toEqual({
        resource: { kind: 'ec2-instance', instanceId: 'i-0aaa' },
        severityBand: band,
      });
      expect(tag.queue).toBe('isolator');
      expect(tag.containment).toBe(false);
      expect(tag.approval).toBe('none');
    }
  });

  it('does not tag at HIGH or CRITICAL, where the containment itself tags', () => {
    for (const band of ['HIGH', 'CRITICAL'] as const) {
      // Act
      const { actions } = actionsOf(ec2, band, [instance('i-0aaa')]);
      // Assess
      expect(actions).not.toContain('contain.tag-incident');
      expect(actions).toContain('contain.ec2-instance');
    }
  });

  it("tags an IAM user (through the key) or an assumed role by the principal's type", () => {
    // Act
    const user = actionsOf('UnauthorizedAccess:IAMUser/MaliciousIPCaller', 'LOW', [iamUser('alice')]);
    const role = actionsOf('UnauthorizedAccess:IAMUser/MaliciousIPCaller', 'MEDIUM', [
      assumedRole('app-role'),
    ]);
    // Assess
    expect(stepOf(user.plan, 'tag-user:alice.AKIAEXAMPLEALICE').params).toEqual({
      resource: { kind: 'iam-access-key', userName: 'alice', accessKeyId: 'AKIAEXAMPLEALICE' },
      severityBand: 'LOW',
    });
    expect(user.plan.steps.some((step) => step.stepId.startsWith('tag-role'))).toBe(false);
    expect(stepOf(role.plan, 'tag-role:app-role').params).toEqual({
      resource: { kind: 'iam-role', roleName: 'app-role' },
      severityBand: 'MEDIUM',
    });
    expect(role.actions).toContain('evidence.collect-iam');
  });

  it('plans the tag in every playbook whose LOW and MEDIUM rows say "tag", never at HIGH', async () => {
    // Prepare
    const tagging = playbooks.filter((playbook) =>
      playbook.steps.some((step) => step.action === 'contain.tag-incident'),
    );
    // Assess
    expect(tagging.map((playbook) => playbook.id).sort()).toEqual([
      'ec2-compromise',
      'ec2-metadata-abuse',
      'eks-compromise',
      'generic',
      'iam-credential-compromise',
      'instance-credential-exfiltration',
      'lambda-compromise',
      'malicious-ip',
      'rds-compromise',
      's3-exposure',
    ]);
    for (const playbook of tagging) {
      for (const step of playbook.steps.filter((candidate) => candidate.action === 'contain.tag-incident')) {
        expect(step.when?.maxSeverity, `${playbook.id}/${step.id}`).toBe('MEDIUM');
        expect(step.after ?? [], `${playbook.id}/${step.id} waits for nothing`).toEqual([]);
      }
    }
  });
});
