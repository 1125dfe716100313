import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeNetworkInterfacesCommand } from '@aws-sdk/client-ec2';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import {
  bootstrap,
  type CreatedInstance,
  createInstance,
  createVpc,
  type EmulatorClients,
  emulatorClients,
  eventually,
  findingTypes,
  guardDutyEventBridgeFinding,
  isolatedAccount,
  type LocalIdentityProvider,
  startIdentityProvider,
} from '@ir/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { IncidentDetailView } from '../../src/api-client.js';
import { runIrctl } from '../../src/cli.js';
import { ExitCode } from '../../src/errors.js';
import { type RunningSystem, startSystem } from '../support/system.js';

const SLOW = 240_000;

describe('irctl against the running system (five services as processes, on the emulator, OIDC operators)', () => {
  let clients: EmulatorClients;
  let idp: LocalIdentityProvider;
  /** Bob's token: the second approver the two-person rule asks for on rollbacks. */
  let secondApprover = '';
  let running: RunningSystem | undefined;
  let env: Record<string, string>;
  let instance: CreatedInstance;
  let incidentId = '';
  const run = (argv: string[], extraEnv: Record<string, string> = {}) =>
    runIrctl(
      argv,
      { ...env, ...extraEnv },
      {
        aws: { sqs: () => clients.sqs, s3: () => clients.s3, kms: () => clients.kms },
      },
    );
  const show = async (): Promise<IncidentDetailView> => {
    const result = await run(['show', incidentId, '--json']);
    expect(result.code, result.stderr).toBe(ExitCode.ok);
    return JSON.parse(result.stdout) as IncidentDetailView;
  };
  const step = async (prefix: string) => (await show()).steps.find((s) => s.stepId.startsWith(prefix));
  const groupsByEni = async () => {
    const output = await clients.ec2.send(
      new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: instance.networkInterfaceIds }),
    );
    return Object.fromEntries(
      (output.NetworkInterfaces ?? []).map((eni) => [
        eni.NetworkInterfaceId,
        (eni.Groups ?? []).map((group) => group.GroupId).sort(),
      ]),
    );
  };
  let original: Record<string, (string | undefined)[]> = {};

  beforeAll(async () => {
    const endpoint = inject('awsEndpoint');
    const region = process.env.AWS_REGION ?? 'us-east-1';
    const account = await isolatedAccount({ endpoint, region });
    clients = emulatorClients({ endpoint, region, credentials: account.credentials });
    const system = await bootstrap({ prefix: 'ir', clients, notificationsTopic: 'ir-notifications' });
    const vpc = await createVpc({ ec2: clients.ec2, subnets: 2 });
    instance = await createInstance({
      ec2: clients.ec2,
      subnetIds: vpc.subnetIds,
      eniCount: 2,
      volumes: [{ sizeGiB: 8 }],
    });
    original = await groupsByEni();
    // Operators are people: the coordinator trusts the local identity provider; Alice runs irctl.
    idp = await startIdentityProvider();
    secondApprover = await idp.operatorToken('secondApprover');
    // Every containment waits for a person: the approval path is what irctl is for.
    running = await startSystem({
      endpoint,
      region,
      account,
      system,
      extra: { 'response-coordinator': { IR_MAX_AUTO_CONTAINMENTS: '0' } },
      oidc: { issuer: idp.issuer, audience: idp.audience },
    });
    env = {
      AWS_ENDPOINT_URL: endpoint,
      AWS_REGION: region,
      IR_PREFIX: 'ir',
      IR_API_URL: running.apiUrl,
      IR_API_TOKEN: await idp.operatorToken('approver'),
      IR_EVIDENCE_BUCKET: system.bucketName,
      IR_EVIDENCE_SIGNING_KEY: system.signingKeyArn,
    };
    const finding = guardDutyEventBridgeFinding({
      accountId: account.accountId,
      region,
      type: findingTypes.c2Dns,
      severity: 8,
      resource: {
        kind: 'instance',
        instanceId: instance.instanceId,
        enis: instance.networkInterfaceIds.map((networkInterfaceId, index) => ({
          networkInterfaceId,
          vpcId: vpc.vpcId,
          subnetId: vpc.subnetIds[index % vpc.subnetIds.length],
        })),
      },
    });
    const file = join(tmpdir(), `irctl-system-${process.pid}.json`);
    await writeFile(file, JSON.stringify(finding));
    const submitted = await run(['submit', file]);
    expect(submitted.code, submitted.stderr).toBe(ExitCode.ok);
  }, SLOW);
  afterAll(async () => {
    await running?.stop();
    await idp?.stop();
    clients?.destroy();
  }, 60_000);

  it(
    'lists the incident detection opened from the submitted finding',
    async () => {
      // Prepare
      const listed: { incidents: { incidentId: string; playbookId: string; dryRun: boolean }[] } = {
        incidents: [],
      };
      // Act
      await eventually(
        async () => {
          const result = await run(['incidents', '--json']);
          listed.incidents = result.code === ExitCode.ok ? JSON.parse(result.stdout).incidents : [];
          return listed.incidents.length > 0;
        },
        90_000,
        'an incident listed by irctl',
      );
      const table = await run(['incidents']);
      // Assess
      expect(listed.incidents).toHaveLength(1);
      incidentId = listed.incidents[0]?.incidentId ?? '';
      expect(listed.incidents[0]).toMatchObject({ playbookId: 'ec2-compromise', dryRun: false });
      expect(table.stdout).toMatch(new RegExp(`${incidentId}\\s+\\S+\\s+HIGH\\s+ec2-compromise`));
    },
    SLOW,
  );

  it(
    'shows the containment held for approval, approves it, and the instance is isolated',
    async () => {
      // Prepare
      await eventually(
        async () => (await step('isolate-instance'))?.status === 'awaiting-approval',
        120_000,
        'isolation awaiting approval',
      );
      const held = await step('isolate-instance');
      const text = await run(['show', incidentId]);
      // Act
      const approved = await run([
        'approve',
        incidentId,
        held?.stepId ?? '',
        '--reason',
        'confirmed C&C',
        '--wait',
        '--timeout',
        '120',
      ]);
      await eventually(
        async () => (await step('isolate-instance'))?.status === 'succeeded',
        120_000,
        'isolation succeeded',
      );
      // Assess
      expect(text.stdout).toMatch(
        /isolate-instance:\S+\s+contain\.ec2-instance\s+awaiting-approval\s+held: blast-radius/,
      );
      expect(approved.code, approved.stderr).toBe(ExitCode.ok);
      const isolated = await groupsByEni();
      for (const eni of instance.networkInterfaceIds) expect(isolated[eni]).not.toEqual(original[eni]);
      // The actor is the token's: Alice, as the identity provider signed her in.
      expect((await step('isolate-instance'))?.approvedBy).toContain('Alice Approver');
    },
    SLOW,
  );

  it(
    'refuses to reject a step that is no longer awaiting approval (exit 4) and an unknown incident (exit 3)',
    async () => {
      // Prepare
      const isolate = await step('isolate-instance');
      // Act
      const conflict = await run(['reject', incidentId, isolate?.stepId ?? '']);
      const missing = await run(['show', 'no-such-incident']);
      // Assess
      expect(conflict.code).toBe(ExitCode.conflict);
      expect(conflict.stderr).toContain('not awaiting approval');
      expect(missing.code).toBe(ExitCode.notFound);
    },
    SLOW,
  );

  it(
    'verifies the sealed evidence, then reports a later version written over an artifact (exit 1)',
    async () => {
      // Prepare
      await eventually(
        async () => (await step('seal-evidence'))?.status === 'succeeded',
        120_000,
        'evidence sealed',
      );
      // Act
      const verified = await run(['verify', incidentId, '--json']);
      const report = JSON.parse(verified.stdout) as {
        ok: boolean;
        artifacts: { key: string; status: string }[];
      };
      const target = report.artifacts[0]?.key ?? '';
      await clients.s3.send(
        new PutObjectCommand({ Bucket: env.IR_EVIDENCE_BUCKET, Key: target, Body: 'tampered' }),
      );
      const tampered = await run(['verify', incidentId]);
      // Assess
      expect(verified.code, verified.stderr).toBe(ExitCode.ok);
      expect(report.ok).toBe(true);
      expect(report.artifacts.length).toBeGreaterThan(0);
      expect(report.artifacts.every((artifact) => artifact.status === 'match')).toBe(true);
      expect(tampered.code).toBe(ExitCode.failed);
      expect(tampered.stdout).toContain('PROBLEMS FOUND');
      expect(tampered.stdout).toContain(`problem: ${target}: a later version`);
    },
    SLOW,
  );

  it(
    'rolls the incident back (ENIs get their original groups), approved by a second person, and resolves it',
    async () => {
      // Prepare
      await eventually(
        async () => ['completed', 'needs-attention'].includes((await show()).incident.status),
        120_000,
        'incident settled',
      );
      // Act: Alice asks for the rollback and waits as far as she can take it: the rollback waits for
      // an approver other than her, and irctl says which step to approve.
      const requested = await run(['rollback', incidentId, '--reason', 'false positive', '--wait']);
      const heldStep = /irctl approve \S+ (\S+)/.exec(requested.stdout)?.[1] ?? '';
      const aliceAgain = await run(['approve', incidentId, heldStep, '--reason', 'mine']);
      // One approval by Bob releases the whole rollback.
      const approved = await run(['approve', incidentId, heldStep, '--reason', 'agreed', '--wait'], {
        IR_API_TOKEN: secondApprover,
      });
      await eventually(
        async () => (await show()).incident.status === 'rolled-back',
        150_000,
        'incident rolled back',
      );
      const resolved = await run([
        'resolve',
        incidentId,
        '--disposition',
        'benign-true-positive',
        '--category',
        'policy-violation',
        '--wait',
      ]);
      const listed = await run(['incidents', '--status', 'resolved', '--json']);
      // Assess
      expect(requested.code, requested.stderr).toBe(ExitCode.ok);
      expect(requested.stdout).toContain('waits for an approver other than you (two-person rule)');
      expect(heldStep).toMatch(/^rollback:/);
      expect(aliceAgain.code).not.toBe(ExitCode.ok);
      expect(aliceAgain.stderr).toContain('two-person rule');
      expect(approved.code, approved.stderr).toBe(ExitCode.ok);
      expect(await groupsByEni()).toEqual(original);
      expect(resolved.code, resolved.stderr).toBe(ExitCode.ok);
      expect(
        (JSON.parse(listed.stdout) as { incidents: { incidentId: string }[] }).incidents.map(
          (i) => i.incidentId,
        ),
      ).toEqual([incidentId]);
    },
    SLOW,
  );
});
