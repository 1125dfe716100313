import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { StoredSuppressionRule, SuppressionProposal } from '@ir/contracts';
import {
  type BootstrapResult,
  bootstrap,
  type EmulatorClients,
  emulatorClients,
  eventually,
  findingTypes,
  isolatedAccount,
  type LocalIdentityProvider,
  nativeFinding,
  startIdentityProvider,
} from '@ir/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { IncidentSummaryView } from '../../src/api-client.js';
import { runIrctl } from '../../src/cli.js';
import { ExitCode } from '../../src/errors.js';
import { type RunningSystem, startSystem } from '../support/system.js';

const SLOW = 240_000;
const FP_INSTANCE = 'i-0fa15e00000000001';

describe('irctl suppress against detection and the coordinator (processes, emulator, OIDC operators)', () => {
  let clients: EmulatorClients;
  let system: BootstrapResult;
  let idp: LocalIdentityProvider;
  let running: RunningSystem | undefined;
  let env: Record<string, string>;
  let responderToken = '';
  /** The incident resolved as a false positive, and one still open. */
  let falsePositive = '';
  let stillOpen = '';
  let accountId = '';
  const run = (argv: string[], extraEnv: Record<string, string> = {}) =>
    runIrctl(
      argv,
      { ...env, ...extraEnv },
      { aws: { sqs: () => clients.sqs, s3: () => clients.s3, kms: () => clients.kms } },
    );
  const asResponder = { IR_API_TOKEN: '' };
  const send = async (findingId: string, type: string, instanceId: string) => {
    const finding = nativeFinding({ accountId, findingId, type, resource: { kind: 'instance', instanceId } });
    await clients.sqs.send(
      new SendMessageCommand({ QueueUrl: system.queues.findings.url, MessageBody: JSON.stringify(finding) }),
    );
  };
  /** The incident holding a finding, once the coordinator lists it. */
  const incidentOf = async (findingId: string): Promise<string> => {
    let found = '';
    await eventually(
      async () => {
        const result = await run(['incidents', '--json']);
        const incidents: IncidentSummaryView[] =
          result.code === ExitCode.ok ? JSON.parse(result.stdout).incidents : [];
        found = incidents.find((i) => i.findings?.some((f) => f.id === findingId))?.incidentId ?? '';
        return found !== '';
      },
      90_000,
      `an incident holding finding ${findingId}`,
    );
    return found;
  };

  beforeAll(async () => {
    const endpoint = inject('awsEndpoint');
    const region = process.env.AWS_REGION ?? 'us-east-1';
    const account = await isolatedAccount({ endpoint, region });
    accountId = account.accountId;
    clients = emulatorClients({ endpoint, region, credentials: account.credentials });
    system = await bootstrap({ prefix: 'ir', clients });
    const dir = await mkdtemp(join(tmpdir(), 'irctl-suppress-'));
    const rulesFile = join(dir, 'suppressions.yaml');
    await writeFile(rulesFile, 'rules: []\n');
    idp = await startIdentityProvider();
    responderToken = await idp.operatorToken('responder');
    asResponder.IR_API_TOKEN = responderToken;
    running = await startSystem({
      endpoint,
      region,
      account,
      system,
      services: ['detection', 'response-coordinator'],
      extra: {
        detection: { IR_SUPPRESSIONS_FILE: rulesFile, IR_SUPPRESSIONS_REFRESH_SECONDS: '1' },
        'response-coordinator': { IR_MAX_AUTO_CONTAINMENTS: '0' },
      },
      oidc: { issuer: idp.issuer, audience: idp.audience },
    });
    env = {
      AWS_ENDPOINT_URL: endpoint,
      AWS_REGION: region,
      IR_PREFIX: 'ir',
      IR_API_URL: running.apiUrl,
      IR_API_TOKEN: await idp.operatorToken('approver'),
    };
    // A port probe of one instance, resolved by the responder as a false positive.
    await send('fp-probe-1', findingTypes.portProbe, FP_INSTANCE);
    falsePositive = await incidentOf('fp-probe-1');
    const resolved = await run(
      ['resolve', falsePositive, '--disposition', 'false-positive', '--category', 'reconnaissance', '--wait'],
      asResponder,
    );
    expect(resolved.code, resolved.stderr).toBe(ExitCode.ok);
    // History: the same probe again (a new incident: the resolve released the instance), the probe of
    // another instance, and another finding type on a third.
    await send('fp-probe-2', findingTypes.portProbe, FP_INSTANCE);
    await send('other-instance', findingTypes.portProbe, 'i-0fa15e00000000002');
    await send('other-type', findingTypes.c2Dns, 'i-0fa15e00000000003');
    await incidentOf('fp-probe-2');
    stillOpen = await incidentOf('other-instance');
    await incidentOf('other-type');
  }, SLOW);
  afterAll(async () => {
    await running?.stop();
    await idp?.stop();
    clients?.destroy();
  }, 60_000);

  it(
    'proposes a rule from the false positive and counts exactly the stored findings it matches',
    async () => {
      // Act
      const result = await run(['suppress', '--from-incident', falsePositive, '--json'], asResponder);
      const text = await run(['suppress', '--from-incident', falsePositive], asResponder);
      // Assess
      expect(result.code, result.stderr).toBe(ExitCode.ok);
      const proposal = JSON.parse(result.stdout) as SuppressionProposal;
      expect(proposal.rule.match).toEqual({
        findingTypes: [findingTypes.portProbe],
        accounts: [accountId],
        resources: [`ec2-instance:${FP_INSTANCE}`],
      });
      expect(proposal.history).toMatchObject({ matched: 2, incidents: 2, findings: 4, capped: false });
      expect(proposal.history.examples.map((e) => e.findingId).sort()).toEqual(['fp-probe-1', 'fp-probe-2']);
      expect(text.stdout).toContain(`  - name: "fp-${falsePositive}"`);
      expect(text.stdout).toContain('would have matched 2 finding(s) in 2 incident(s)');
      expect(text.stdout).toContain('nothing written');
    },
    SLOW,
  );

  it(
    'refuses a proposal from an incident not resolved as a false positive',
    async () => {
      // Act
      const result = await run(['suppress', '--from-incident', stillOpen], asResponder);
      // Assess
      expect(result.code).toBe(ExitCode.conflict);
      expect(result.stderr).toContain('resolved as false-positive or benign-true-positive');
    },
    SLOW,
  );

  it(
    'writes the rule only for an approver, authored by the token, and detection suppresses with it without a restart',
    async () => {
      // Prepare: a responder may propose but not write.
      const refused = await run(['suppress', '--from-incident', falsePositive, '--apply'], asResponder);
      expect(refused.code).toBe(ExitCode.unauthorized);
      expect((await run(['suppressions', '--json'])).stdout).toContain('"rules": []');
      // Act
      const applied = await run([
        'suppress',
        '--from-incident',
        falsePositive,
        '--apply',
        '--expires-in',
        '7d',
        '--json',
      ]);
      const again = await run(['suppress', '--from-incident', falsePositive, '--apply']);
      // Assess: written once, by Alice (from her token), expiring in 7 days; the second is a name clash.
      expect(applied.code, applied.stderr).toBe(ExitCode.ok);
      const written = (JSON.parse(applied.stdout) as { written: StoredSuppressionRule }).written;
      expect(written.author).toMatchObject({
        by: 'Alice Approver <alice@ir.example.test>',
        actor: { subject: 'op-alice' },
      });
      expect(written.sourceIncidentId).toBe(falsePositive);
      expect(Math.abs(Date.parse(written.expiresAt) - Date.now() - 7 * 86_400_000)).toBeLessThan(120_000);
      expect(again.code).toBe(ExitCode.conflict);
      const listed = JSON.parse((await run(['suppressions', '--json'])).stdout) as {
        rules: StoredSuppressionRule[];
      };
      expect(listed.rules.map((r) => [r.name, r.author.actor.subject])).toEqual([[written.name, 'op-alice']]);

      // Detection, running since before the rule existed, picks it up and suppresses the next probe.
      await eventually(
        async () =>
          running
            ?.tail('detection')
            .some((line) => line.includes('"suppression_rule_loaded"') && line.includes(written.name)) ??
          false,
        30_000,
        'detection loading the written rule',
      );
      await send('fp-probe-3', findingTypes.portProbe, FP_INSTANCE);
      await send('after-rule', findingTypes.portProbe, 'i-0fa15e00000000004');
      await incidentOf('after-rule');
      await eventually(
        async () =>
          running
            ?.tail('detection')
            .some((line) => line.includes('"finding_suppressed"') && line.includes(written.name)) ?? false,
        30_000,
        'detection suppressing fp-probe-3',
      );
      const incidents = JSON.parse((await run(['incidents', '--json'])).stdout)
        .incidents as IncidentSummaryView[];
      expect(incidents.filter((i) => i.findings?.some((f) => f.id === 'fp-probe-3'))).toEqual([]);
    },
    SLOW,
  );
  it(
    'refuses through the API an author in the body, an expiry beyond 90 days and a viewer writing',
    async () => {
      // Prepare
      const post = async (token: string, body: unknown) => {
        const response = await fetch(`${running?.apiUrl}/suppressions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        return { status: response.status, body: (await response.json()) as Record<string, unknown> };
      };
      const rule = {
        name: 'api-checks',
        reason: 'test',
        match: { regions: ['eu-west-3'] },
        expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
      };
      const forged = { by: 'Mallory', actor: { issuer: 'x', subject: 'mallory' } };
      // Act
      const withAuthor = await post(env.IR_API_TOKEN ?? '', { ...rule, author: forged });
      const tooLong = await post(env.IR_API_TOKEN ?? '', {
        ...rule,
        expiresAt: new Date(Date.now() + 91 * 86_400_000).toISOString(),
      });
      const byViewer = await post(await idp.operatorToken('viewer'), rule);
      // Assess: nothing was written by any of them.
      expect([withAuthor.status, tooLong.status, byViewer.status]).toEqual([400, 400, 403]);
      expect(JSON.stringify(tooLong.body)).toContain('at most 90 days');
      const listed = JSON.parse((await run(['suppressions', '--json'])).stdout) as {
        rules: StoredSuppressionRule[];
      };
      expect(listed.rules.map((r) => r.name)).not.toContain('api-checks');
    },
    SLOW,
  );
});
