import { randomBytes } from 'node:crypto';
import { GuardDutyClient } from '@aws-sdk/client-guardduty';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { guardDutyProductArn, type PayloadOf } from '@ir/contracts';
import {
  addCallRecorder,
  createAwsCallLog,
  createLogger,
  type MiddlewareHost,
  type StepContext,
  type StepOutcome,
} from '@ir/runtime';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFindingSyncMetrics } from '../../../src/finding-sync/metrics.js';
import {
  createNotifyFindingWorkflowHandler,
  FINDING_SYNC_FAILED,
} from '../../../src/handlers/notify-finding-workflow.js';
import { type FindingsApiServer, startFindingsApiServer } from './findings-api-server.js';

/*
 * Emulator gap: moto 5.2.5 lacks BatchUpdateFindings, BatchUpdateFindingsV2, GetFindingsV2 and every
 * GuardDuty finding API (ListDetectors, GetFindings, ArchiveFindings). These tests drive the real SDK
 * clients against findings-api-server.ts, which answers with the documented response shapes. The
 * moto integration test (test/integration/finding-sync.test.ts) covers what moto does have.
 */

const REGION = 'eu-west-1';
const ACCOUNT = '123456789012';
const DETECTOR = '12abc34d567e8fa901bc2d34e56789f0';
const GD_ID = '7ab1c2d3e4f5a6b7c8d9e0f1a2b3c4d5';
const GD_ARN = `arn:aws:guardduty:${REGION}:${ACCOUNT}:detector/${DETECTOR}/finding/${GD_ID}`;
const GD_PRODUCT = guardDutyProductArn(REGION);

type Params = PayloadOf<'notify.finding-workflow'>['params'];

let log: ReturnType<typeof createAwsCallLog> | undefined;
/** Recorded for the IAM proof as the notifier task role's calls in the home account stand-in. */
function recorded<C extends MiddlewareHost>(client: C): C {
  const directory = process.env.IR_AWS_CALL_LOG;
  if (!directory) return client;
  log ??= createAwsCallLog(directory, 'notifier');
  addCallRecorder(client, log, 'notifier', {
    account: async () => '111111111111',
    region: REGION,
    principal: 'task',
  });
  return client;
}

describe('notify.finding-workflow (real SDK clients, documented Security Hub and GuardDuty answers)', () => {
  let api: FindingsApiServer;
  let registry: Registry;
  let handler: ReturnType<typeof createNotifyFindingWorkflowHandler>;
  const credentials = {
    accessKeyId: `AKIA${randomBytes(8).toString('hex').toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString('base64'),
  };

  beforeEach(async () => {
    api = await startFindingsApiServer();
    registry = new Registry();
    const clientConfig = (region: string) => ({ region, endpoint: api.url, credentials, maxAttempts: 1 });
    handler = createNotifyFindingWorkflowHandler({
      securityHub: async (region) => recorded(new SecurityHubClient(clientConfig(region))),
      guardDuty: async (region) => recorded(new GuardDutyClient(clientConfig(region))),
      syncTotal: createFindingSyncMetrics(registry),
    });
  });
  afterEach(async () => {
    await api.close();
  });

  function run(params: Params, options: { dryRun?: boolean } = {}): Promise<StepOutcome> {
    const context = {
      incidentId: 'inc-5e1f',
      correlationId: 'inc-5e1f',
      stepId: 'finding-sync:opened',
      action: 'notify.finding-workflow',
      dryRun: options.dryRun ?? false,
      target: { accountId: ACCOUNT, region: REGION },
      // The handler does not read the envelope.
      command: {} as never,
      logger: createLogger({ service: 'test', level: 'silent' }),
      signal: new AbortController().signal,
      deadline: new Date(Date.now() + 60_000),
      attempt: 1,
      now: () => new Date(),
      client: () => Promise.reject(new Error('the finding sync uses its own clients')),
    } satisfies StepContext<'notify.finding-workflow'>;
    return handler(params, context);
  }

  /** A Security Hub v2 (OCSF) finding of the account, by its `metadata.uid`. */
  const v2Finding = (uid: string): Params['findings'][number] => ({
    source: 'securityhub',
    id: uid,
    accountId: ACCOUNT,
    region: REGION,
    securityHub: { api: 'v2', metadataUid: uid },
  });

  const v1Params = (overrides: Partial<Params> = {}): Params => ({
    phase: 'opened',
    workflowStatus: 'NOTIFIED',
    note: 'Incident inc-5e1f opened by automated incident response | irctl show inc-5e1f',
    noteUpdatedBy: 'automated incident response',
    findings: [
      {
        source: 'guardduty',
        id: GD_ID,
        accountId: ACCOUNT,
        region: REGION,
        securityHub: { api: 'v1', productArn: GD_PRODUCT, id: GD_ARN },
        guardDutyFindingId: GD_ID,
      },
    ],
    archiveGuardDuty: false,
    ...overrides,
  });

  async function metric(target: string, outcome: string): Promise<number> {
    const values = (await registry.getSingleMetric('ir_finding_sync_total')?.get())?.values ?? [];
    return values.find((v) => v.labels.target === target && v.labels.outcome === outcome)?.value ?? 0;
  }

  it('sets a v1 finding to NOTIFIED with the note, and succeeds only on what it read back', async () => {
    // Prepare
    api.seedAsff({ Id: GD_ARN, ProductArn: GD_PRODUCT, AwsAccountId: ACCOUNT, status: 'NEW' });
    // Act
    const outcome = await run(v1Params());
    // Assess
    expect(outcome.kind).toBe('succeeded');
    expect(api.asff(GD_ARN)?.Workflow.Status).toBe('NOTIFIED');
    expect(api.asff(GD_ARN)?.Note?.Text).toContain('inc-5e1f');
    const [update] = api.calls('PATCH /findings/batchupdate');
    expect(update?.body).toMatchObject({
      FindingIdentifiers: [{ Id: GD_ARN, ProductArn: GD_PRODUCT }],
      Workflow: { Status: 'NOTIFIED' },
      Note: { UpdatedBy: 'automated incident response' },
    });
    // Read before and after the update.
    expect(api.calls('POST /findings')).toHaveLength(2);
    expect(outcome.kind === 'succeeded' && outcome.verified).toEqual({
      findings: [{ id: GD_ID, securityHub: 'NOTIFIED' }],
    });
    expect(await metric('securityhub_v1', 'updated')).toBe(1);
  });

  it('leaves a finding already in the wanted state alone: no update call, so a redelivery does nothing', async () => {
    // Prepare
    api.seedAsff({ Id: GD_ARN, ProductArn: GD_PRODUCT, AwsAccountId: ACCOUNT, status: 'RESOLVED' });
    const params = v1Params({ phase: 'resolved', workflowStatus: 'RESOLVED' });
    // Act
    const first = await run(params);
    const again = await run(params);
    // Assess
    expect(first.kind).toBe('succeeded');
    expect(again.kind).toBe('succeeded');
    expect(api.calls('PATCH /findings/batchupdate')).toHaveLength(0);
    expect(first.kind === 'succeeded' && first.result.findings).toEqual([
      expect.objectContaining({ securityHub: { api: 'v1', outcome: 'already-in-state', state: 'RESOLVED' } }),
    ]);
    expect(await metric('securityhub_v1', 'already_in_state')).toBe(2);
  });

  it('fails, naming the finding and the error code, when Security Hub leaves the finding unprocessed', async () => {
    // Prepare
    api.seedAsff({ Id: GD_ARN, ProductArn: GD_PRODUCT, AwsAccountId: ACCOUNT, status: 'NEW' });
    api.behave(GD_ARN, {
      refuse: { code: 'ConcurrentUpdateError', message: 'Concurrent finding updates detected' },
    });
    // Act
    const outcome = await run(v1Params());
    // Assess
    expect(outcome.kind).toBe('failed');
    if (outcome.kind !== 'failed') return;
    expect(outcome.errorName).toBe(FINDING_SYNC_FAILED);
    expect(outcome.reason).toContain(GD_ARN);
    expect(outcome.reason).toContain('ConcurrentUpdateError: Concurrent finding updates detected');
    expect(api.asff(GD_ARN)?.Workflow.Status).toBe('NEW');
    expect(await metric('securityhub_v1', 'failed')).toBe(1);
  });

  it('fails when the update is answered as processed but the finding reads back unchanged (no false success)', async () => {
    // Prepare
    api.seedAsff({ Id: GD_ARN, ProductArn: GD_PRODUCT, AwsAccountId: ACCOUNT, status: 'NEW' });
    api.behave(GD_ARN, { ignore: true });
    // Act
    const outcome = await run(v1Params());
    // Assess
    expect(outcome.kind).toBe('failed');
    expect(outcome.kind === 'failed' && outcome.reason).toContain(
      'read back as NEW after the update, not NOTIFIED',
    );
    expect(api.calls('PATCH /findings/batchupdate')).toHaveLength(1);
  });

  it('fails for a finding Security Hub does not have, without calling the update', async () => {
    // Act: nothing seeded
    const outcome = await run(v1Params());
    // Assess
    expect(outcome.kind).toBe('failed');
    expect(outcome.kind === 'failed' && outcome.reason).toContain(`Security Hub finding ${GD_ARN}`);
    expect(outcome.kind === 'failed' && outcome.reason).toContain('was not found');
    expect(api.calls('PATCH /findings/batchupdate')).toHaveLength(0);
  });

  it('sets a v2 (OCSF) finding through BatchUpdateFindingsV2: SUPPRESSED is status_id 3, with the note as comment', async () => {
    // Prepare
    const uid = `${GD_ARN}/v2`;
    api.seedOcsf(uid, 2);
    const params: Params = {
      ...v1Params({ phase: 'resolved', workflowStatus: 'SUPPRESSED' }),
      findings: [v2Finding(uid)],
    };
    // Act
    const outcome = await run(params);
    // Assess
    expect(outcome.kind).toBe('succeeded');
    expect(api.ocsf(uid)).toMatchObject({ statusId: 3, comment: params.note });
    expect(api.calls('PATCH /findingsv2/batchupdatev2')[0]?.body).toEqual({
      MetadataUids: [uid],
      StatusId: 3,
      Comment: params.note,
    });
    expect(api.calls('POST /findings')).toHaveLength(0);
    expect(await metric('securityhub_v2', 'updated')).toBe(1);
  });

  it('fails a v2 finding left unprocessed', async () => {
    // Prepare
    const uid = 'uid-unprocessed-1';
    api.seedOcsf(uid, 1);
    api.behave(uid, {
      refuse: { code: 'ConflictException', message: 'The finding was updated concurrently' },
    });
    const params: Params = {
      ...v1Params({ phase: 'resolved', workflowStatus: 'RESOLVED' }),
      findings: [v2Finding(uid)],
    };
    // Act
    const outcome = await run(params);
    // Assess
    expect(outcome.kind === 'failed' && outcome.reason).toContain(
      `Security Hub v2 finding ${uid} in ${REGION} was not updated: ConflictException`,
    );
    expect(api.ocsf(uid)?.statusId).toBe(1);
  });

  it('archives the GuardDuty finding of a false positive through our own detector, and reads it back', async () => {
    // Prepare
    api.seedAsff({ Id: GD_ARN, ProductArn: GD_PRODUCT, AwsAccountId: ACCOUNT, status: 'NOTIFIED' });
    api.seedGuardDuty(DETECTOR, GD_ID, false);
    // Act
    const outcome = await run(
      v1Params({ phase: 'resolved', workflowStatus: 'SUPPRESSED', archiveGuardDuty: true }),
    );
    // Assess
    expect(outcome.kind).toBe('succeeded');
    expect(api.guardDuty(GD_ID)?.archived).toBe(true);
    expect(api.asff(GD_ARN)?.Workflow.Status).toBe('SUPPRESSED');
    expect(api.calls(`POST /detector/${DETECTOR}/findings/archive`)[0]?.body).toEqual({
      findingIds: [GD_ID],
    });
    expect(outcome.kind === 'succeeded' && outcome.verified).toEqual({
      findings: [{ id: GD_ID, securityHub: 'SUPPRESSED', guardDuty: 'archived' }],
    });
    expect(await metric('guardduty', 'updated')).toBe(1);
  });

  it('does not archive again a GuardDuty finding already archived', async () => {
    // Prepare
    api.seedAsff({ Id: GD_ARN, ProductArn: GD_PRODUCT, AwsAccountId: ACCOUNT, status: 'SUPPRESSED' });
    api.seedGuardDuty(DETECTOR, GD_ID, true);
    // Act
    const outcome = await run(
      v1Params({ phase: 'resolved', workflowStatus: 'SUPPRESSED', archiveGuardDuty: true }),
    );
    // Assess
    expect(outcome.kind).toBe('succeeded');
    expect(api.calls(`POST /detector/${DETECTOR}/findings/archive`)).toHaveLength(0);
    expect(await metric('guardduty', 'already_in_state')).toBe(1);
  });

  it('fails when GuardDuty accepts the archive but the finding reads back active', async () => {
    // Prepare
    api.seedAsff({ Id: GD_ARN, ProductArn: GD_PRODUCT, AwsAccountId: ACCOUNT, status: 'SUPPRESSED' });
    api.seedGuardDuty(DETECTOR, GD_ID, false);
    api.behave(GD_ID, { ignore: true });
    // Act
    const outcome = await run(
      v1Params({ phase: 'resolved', workflowStatus: 'SUPPRESSED', archiveGuardDuty: true }),
    );
    // Assess
    expect(outcome.kind === 'failed' && outcome.reason).toContain(
      `GuardDuty finding ${GD_ID} (detector ${DETECTOR}) in ${REGION} read back as active after the update, not archived`,
    );
  });

  it('in dry run reads only and says what would change', async () => {
    // Prepare
    api.seedAsff({ Id: GD_ARN, ProductArn: GD_PRODUCT, AwsAccountId: ACCOUNT, status: 'NEW' });
    api.seedGuardDuty(DETECTOR, GD_ID, false);
    // Act
    const outcome = await run(v1Params({ archiveGuardDuty: true }), { dryRun: true });
    // Assess
    expect(outcome.kind).toBe('succeeded');
    expect(api.received.filter((r) => r.method === 'PATCH' || r.path.endsWith('/archive'))).toHaveLength(0);
    expect(api.asff(GD_ARN)?.Workflow.Status).toBe('NEW');
    expect(api.guardDuty(GD_ID)?.archived).toBe(false);
    expect(outcome.kind === 'succeeded' && outcome.result.findings).toEqual([
      expect.objectContaining({
        securityHub: { api: 'v1', outcome: 'would-update', before: 'NEW', wanted: 'NOTIFIED' },
        guardDuty: { outcome: 'would-update', before: 'active', wanted: 'archived' },
      }),
    ]);
  });
});
