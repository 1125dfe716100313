import { findingTypes, type LocalIdentityProvider, startIdentityProvider } from '@ir/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coordinatorFixture, type Fixture, finding } from './harness.js';
import { playWorkers } from './worker-double.js';

const cases = [
  {
    playbook: 'ec2-compromise',
    finding: () =>
      finding({
        type: findingTypes.c2Dns,
        severity: 8,
        resource: { kind: 'instance', instanceId: 'i-0c2c2c2c2c2c2c2c2' },
      }),
    evidenceBefore: ['snapshot-volumes', 'collect-volatile', 'capture-instance'],
    containment: 'contain.ec2-instance',
  },
  {
    playbook: 'iam-credential-compromise',
    finding: () =>
      finding({
        type: 'UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom',
        severity: 8,
        resource: {
          kind: 'access-key',
          userType: 'IAMUser',
          userName: 'alice',
          accessKeyId: 'AKIAALICE0000000000',
        },
      }),
    evidenceBefore: ['collect-iam'],
    containment: 'contain.iam-user',
  },
  {
    playbook: 'instance-credential-exfiltration',
    finding: () =>
      finding({
        type: findingTypes.credentialExfiltration,
        severity: 8,
        resource: {
          kind: 'access-key',
          userType: 'AssumedRole',
          userName: 'app-role',
          accessKeyId: 'ASIAAPPROLE00000000',
        },
      }),
    evidenceBefore: [],
    containment: 'contain.role-sessions',
  },
  {
    playbook: 's3-exposure',
    finding: () =>
      finding({
        type: findingTypes.s3AnonymousAccess,
        severity: 8,
        resource: { kind: 's3', buckets: ['exposed-bucket'] },
      }),
    evidenceBefore: ['collect-s3'],
    containment: 'contain.s3-bucket',
  },
  {
    playbook: 'malicious-ip',
    finding: () =>
      finding({
        type: findingTypes.portProbe,
        severity: 8,
        resource: { kind: 'instance', instanceId: 'i-0abcabcabcabcabca' },
        remoteIp: '198.51.100.7',
      }),
    evidenceBefore: ['capture-instance'],
    containment: 'contain.block-ip',
  },
  {
    playbook: 'generic',
    finding: () =>
      finding({
        type: 'Policy:Kubernetes/AdminAccessToDefaultServiceAccount',
        severity: 5,
        resource: { kind: 's3', buckets: ['some-bucket'] },
      }),
    evidenceBefore: [],
    containment: undefined,
  },
] as const;

describe('response coordinator with each shipped playbook (on the emulator)', () => {
  let fixture: Fixture;
  let base: string;
  // Two approvers from the local IdP: NACL blocks and console password removals need two people.
  let idp: LocalIdentityProvider;
  let approvers: string[];
  beforeAll(async () => {
    idp = await startIdentityProvider();
    fixture = await coordinatorFixture({ IR_OIDC_ISSUER: idp.issuer, IR_OIDC_AUDIENCE: idp.audience });
    ({ base } = await fixture.start());
    approvers = [await idp.operatorToken('approver'), await idp.operatorToken('secondApprover')];
  }, 120_000);
  afterAll(async () => {
    await fixture?.stop();
    await idp?.stop();
  });

  for (const testCase of cases) {
    it(`takes a ${testCase.playbook} finding to a completed incident, evidence before containment`, async () => {
      // Prepare
      const incidentId = `inc-${testCase.playbook}`;
      // Act
      await fixture.open(incidentId, testCase.finding());
      await playWorkers(fixture, incidentId, {
        approveAt: base,
        approvers,
        until: (status) => status === 'completed',
        what: `${testCase.playbook} incident completed`,
      });
      // Assess
      const aggregate = await fixture.incident(incidentId);
      expect(aggregate?.incident.playbookId).toBe(testCase.playbook);
      expect(aggregate?.incident.status).toBe('completed');
      const steps = aggregate?.steps ?? [];
      expect(steps.length).toBeGreaterThan(1);
      expect(steps.filter((step) => step.status !== 'succeeded').map((s) => s.stepId)).toEqual([]);
      // Every step went out only after all it waits for had succeeded.
      for (const step of steps) {
        for (const dependency of step.after) {
          const before = steps.find((other) => other.stepId === dependency);
          expect(Date.parse(step.dispatchedAt ?? '')).toBeGreaterThanOrEqual(
            Date.parse(before?.completedAt ?? 'x'),
          );
        }
      }
      const commands = fixture.seen.filter((command) => command.incidentId === incidentId);
      const position = (prefix: string) =>
        commands.findIndex((command) => command.payload.stepId.startsWith(prefix));
      if (testCase.containment) {
        const contained = commands.findIndex((command) => command.type === testCase.containment);
        expect(contained).toBeGreaterThan(-1);
        for (const evidence of testCase.evidenceBefore) {
          expect(position(evidence)).toBeGreaterThan(-1);
          expect(position(evidence)).toBeLessThan(contained);
        }
        expect(aggregate?.incident.firstContainedAt).toBeDefined();
      }
      expect(commands.every((command) => command.dryRun === false)).toBe(true);
      expect(new Set(commands.map((command) => command.payload.stepId)).size).toBe(commands.length);
    });
  }
});
