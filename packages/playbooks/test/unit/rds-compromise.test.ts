import { type Finding, parseFindings, type Resource } from '@ir/contracts';
import { guardDutyWorkloadFinding } from '@ir/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPlaybooks, type Playbook, planIncident } from '../../src/index.js';
import { bands, testFinding } from './findings.js';
import { ancestors, expectWellFormed, stepIds, stepOf } from './plan-assertions.js';

let playbooks: Playbook[];
beforeAll(async () => {
  playbooks = await loadPlaybooks();
});

function database(overrides: Partial<Extract<Resource, { kind: 'rds-database' }>> = {}): Resource {
  return {
    kind: 'rds-database',
    dbInstanceIdentifier: 'orders-db-1',
    dbClusterIdentifier: 'orders-db',
    engine: 'aurora-postgresql',
    dbUser: { user: 'app_rw' },
    tags: {},
    ...overrides,
  } as Resource;
}

function parsed(input: unknown): Finding {
  const [finding] = parseFindings(input);
  if (!finding) throw new Error('no finding');
  return finding;
}

describe('rds-compromise playbook', () => {
  it('applies the severity matrix: LOW tags and notifies, MEDIUM tags, snapshots and seals, HIGH and CRITICAL isolate (and ask to make it private)', () => {
    // Prepare
    const type = 'CredentialAccess:RDS/AnomalousBehavior.SuccessfulLogin';
    const expected = {
      LOW: ['notify-opened', 'tag-database:orders-db'],
      MEDIUM: [
        'notify-evidence-sealed',
        'notify-opened',
        'seal-evidence',
        'snapshot-rds:orders-db',
        'tag-database:orders-db',
      ],
      HIGH: [
        'isolate-database:orders-db',
        'make-private:orders-db',
        'notify-contained:orders-db',
        'notify-evidence-sealed',
        'notify-opened',
        'seal-evidence',
        'snapshot-rds:orders-db',
      ],
    };
    for (const band of bands) {
      // Act
      const plan = planIncident(testFinding({ type, band, resources: [database()] }), playbooks);

      // Assess
      expect(plan.playbookId).toBe('rds-compromise');
      expectWellFormed(plan);
      const want = band === 'CRITICAL' ? expected.HIGH : expected[band];
      expect(stepIds(plan)).toEqual(want);
      const audience = { LOW: 'low-priority', MEDIUM: 'team', HIGH: 'team', CRITICAL: 'on-call' }[band];
      expect(stepOf(plan, 'notify-opened').params.details).toMatchObject({ audience });
    }
  });

  it('snapshots before either containment, needs approval only to make the database private, and seals without waiting for containment', () => {
    // Prepare
    const finding = testFinding({
      type: 'CredentialAccess:RDS/AnomalousBehavior.SuccessfulBruteForce',
      band: 'HIGH',
      resources: [database()],
    });

    // Act
    const plan = planIncident(finding, playbooks);

    // Assess
    const isolate = stepOf(plan, 'isolate-database:orders-db');
    const makePrivate = stepOf(plan, 'make-private:orders-db');
    expect(isolate.params).toEqual({ dbInstanceIdentifier: 'orders-db-1', dbClusterIdentifier: 'orders-db' });
    expect(isolate.containment).toBe(true);
    expect(isolate.approval).toBe('none');
    expect(makePrivate.approval).toBe('required');
    expect(ancestors(plan, isolate.stepId)).toContain('snapshot-rds:orders-db');
    expect(ancestors(plan, makePrivate.stepId)).toContain('snapshot-rds:orders-db');
    expect(ancestors(plan, 'seal-evidence')).not.toContain(isolate.stepId);
    expect(plan.notes.join('\n')).toContain('RDS database orders-db accepts no new connections');
  });

  it('names a stand-alone instance by its identifier', () => {
    // Prepare
    const resources = [database({ dbClusterIdentifier: undefined, engine: 'postgres' })];

    // Act
    const plan = planIncident(
      testFinding({ type: 'CredentialAccess:RDS/TorIPCaller.SuccessfulLogin', resources }),
      playbooks,
    );

    // Assess
    expect(stepOf(plan, 'isolate-database:orders-db-1').params).toEqual({
      dbInstanceIdentifier: 'orders-db-1',
    });
  });

  it('keeps the database tags GuardDuty sends, so the coordinator holds a protected database for approval', () => {
    // Prepare
    const finding = parsed(
      guardDutyWorkloadFinding({
        resource: { kind: 'rds', dbClusterIdentifier: null, tags: { 'ir:protected': 'true' } },
      }),
    );

    // Act
    const plan = planIncident(finding, playbooks);

    // Assess: the resource carries the tag the coordinator's protected check reads, and the
    // containments it would hold are containment steps (they count toward the blast radius)
    expect(finding.resources[0]).toMatchObject({ kind: 'rds-database', tags: { 'ir:protected': 'true' } });
    expect(stepOf(plan, 'isolate-database:orders-db-1').containment).toBe(true);
    expect(stepOf(plan, 'make-private:orders-db-1').containment).toBe(true);
  });

  it('takes GuardDuty RDS findings in both the GuardDuty and Security Hub forms, and not an RDS attack sequence', () => {
    // Prepare
    const guardDuty = parsed(guardDutyWorkloadFinding({ resource: { kind: 'rds' } }));
    const discovery = parsed(
      guardDutyWorkloadFinding({ resource: { kind: 'rds' }, type: 'Discovery:RDS/MaliciousIPCaller' }),
    );
    const securityHubForm = testFinding({
      type: 'TTPs/Credential Access/CredentialAccess:RDS-AnomalousBehavior.SuccessfulLogin',
      source: 'securityhub',
      resources: [database()],
    });
    const sequence = testFinding({ type: 'AttackSequence:RDS/Example', resources: [database()] });

    // Act, Assess
    expect(planIncident(guardDuty, playbooks).playbookId).toBe('rds-compromise');
    expect(planIncident(discovery, playbooks).playbookId).toBe('rds-compromise');
    expect(planIncident(securityHubForm, playbooks).playbookId).toBe('rds-compromise');
    expect(planIncident(sequence, playbooks).playbookId).not.toBe('rds-compromise');
  });
});
