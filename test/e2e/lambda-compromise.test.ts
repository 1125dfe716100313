/**
 * The lambda-compromise playbook from finding to final state: the five services as separate processes
 * against the emulator, GuardDuty's Lambda Protection finding (the intake fixture
 * `guardduty-eventbridge-lambda.json`, built from the API reference and the finding-type page it names)
 * sent as EventBridge delivers it, and the function, its mappings, its execution role and the evidence
 * read back; then the rollback, read back too.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ListAttachedRolePoliciesCommand } from '@aws-sdk/client-iam';
import {
  GetEventSourceMappingCommand,
  GetFunctionConcurrencyCommand,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { verifyEvidence } from '@ir/evidence';
import { createLambdaFunction, uniqueName } from '@ir/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemInIsolatedAccount } from '../support/e2e-fixture.js';
import { stepOf, waitForIncidentOf } from '../support/incident-progress.js';
import { apiOperator, approveHeldRollback } from '../support/operator.js';
import type { RunningSystem } from '../support/system.js';

/** The parts of the sample EventBridge event this test points at its own account and function. */
interface LambdaEvent {
  id: string;
  account: string;
  region: string;
  time: string;
  detail: {
    id: string;
    accountId: string;
    region: string;
    createdAt: string;
    updatedAt: string;
    service: { eventFirstSeen: string; eventLastSeen: string };
    resource: {
      lambdaDetails: { functionName: string; functionVersion: string; functionArn: string; role: string };
    };
  };
}

/**
 * The documented sample (its `_source` names where it comes from), pointed at this account, region,
 * function, version and execution role, with fresh ids and times.
 */
function lambdaFinding(
  where: { accountId: string; region: string },
  fn: { functionName: string; version: string; roleArn: string },
) {
  const document = JSON.parse(
    readFileSync(
      new URL('../../packages/contracts/test/fixtures/guardduty-eventbridge-lambda.json', import.meta.url),
      'utf8',
    ),
  ) as { _source: { from: string[] }; payload: LambdaEvent };
  expect(document._source.from.length).toBeGreaterThan(0);
  const event = structuredClone(document.payload);
  const now = new Date().toISOString();
  const detail = event.detail;
  event.id = randomUUID();
  event.account = where.accountId;
  event.region = where.region;
  event.time = now;
  detail.id = randomUUID().replaceAll('-', '');
  detail.accountId = where.accountId;
  detail.region = where.region;
  detail.createdAt = now;
  detail.updatedAt = now;
  detail.service.eventFirstSeen = now;
  detail.service.eventLastSeen = now;
  const lambda = detail.resource.lambdaDetails;
  lambda.functionName = fn.functionName;
  lambda.functionVersion = fn.version;
  lambda.functionArn = `arn:aws:lambda:${where.region}:${where.accountId}:function:${fn.functionName}:${fn.version}`;
  lambda.role = fn.roleArn;
  return event;
}

async function readFunction(lambda: LambdaClient, functionName: string, mappingIds: readonly string[]) {
  const concurrency = await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: functionName }));
  const mappings = await Promise.all(
    mappingIds.map(async (UUID) => (await lambda.send(new GetEventSourceMappingCommand({ UUID }))).State),
  );
  return { reservedConcurrency: concurrency.ReservedConcurrentExecutions ?? null, mappings };
}

describe('lambda-compromise, end to end', () => {
  let system: RunningSystem;
  beforeAll(async () => {
    system = await systemInIsolatedAccount();
  }, 300_000);
  afterAll(async () => {
    await system?.stop();
  }, 120_000);

  it('collects the function and its code, stops it, revokes its role, seals, and the rollback restores it', async () => {
    // Prepare
    const { lambda, iam, s3 } = system.clients;
    const fn = await createLambdaFunction({
      clients: system.clients,
      region: system.region,
      functionName: uniqueName('invoice-renderer'),
      reservedConcurrency: 5,
      publishVersion: true,
      resourcePolicy: true,
      mappings: [{ enabled: true }, { enabled: false }],
    });
    const before = await readFunction(lambda, fn.functionName, fn.mappingIds);
    const finding = lambdaFinding(
      { accountId: system.accountId, region: system.region },
      { functionName: fn.functionName, version: fn.version ?? '1', roleArn: fn.roleArn },
    );

    // Act
    await system.sendFinding(finding);
    const view = await waitForIncidentOf(
      system.api,
      finding.detail.id,
      (v) => v.incident.status === 'completed',
    );
    const contained = await readFunction(lambda, fn.functionName, fn.mappingIds);
    const attached = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: fn.roleName }));

    // Assess: the incident as the coordinator recorded it (the sample is HIGH, severity 8)
    expect(view.incident.playbookId).toBe('lambda-compromise');
    expect(view.incident.severityBand).toBe('HIGH');
    for (const action of [
      'evidence.collect-lambda',
      'evidence.collect-iam',
      'contain.lambda-function',
      'contain.role-sessions',
      'evidence.seal',
    ]) {
      expect(stepOf(view, action).status, action).toBe('succeeded');
    }
    expect(view.incident.notes.join(' ')).toContain(fn.roleName);
    // Assess: the function and its role, read back from the emulator
    expect(before).toEqual({ reservedConcurrency: 5, mappings: ['Enabled', 'Disabled'] });
    expect(contained).toEqual({ reservedConcurrency: 0, mappings: ['Disabled', 'Disabled'] });
    expect(attached.AttachedPolicies?.map((p) => p.PolicyArn)).toEqual([
      expect.stringMatching(/:policy\/ir-quarantine\//),
    ]);
    // Assess: the code package in evidence is the deployed one, and the sealed evidence verifies
    const collected = stepOf(view, 'evidence.collect-lambda').result as {
      codeArtifact: { key: string; sha256: string };
    };
    expect(collected.codeArtifact.sha256).toBe(fn.codeSha256);
    const codeKey = collected.codeArtifact.key;
    const code = await s3.send(new GetObjectCommand({ Bucket: system.boot.bucketName, Key: codeKey }));
    const bytes = Buffer.from((await code.Body?.transformToByteArray()) ?? []);
    expect(bytes.equals(Buffer.from(fn.code))).toBe(true);
    const report = await verifyEvidence({
      s3,
      bucket: system.boot.bucketName,
      incidentId: view.incident.incidentId,
      signing: { kms: system.clients.kms, keyId: system.boot.signingKeyArn },
    });
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);

    // Act: roll the incident back as a responder would
    // (the two-person rule: a person other than the requester approves the held rollback batch).
    await system.api.rollback(view.incident.incidentId, { reason: 'false positive: a load test' });
    await approveHeldRollback(
      system.api,
      finding.detail.id,
      apiOperator(system.apiAs('approver'), 'approver'),
    );
    const rolledBack = await waitForIncidentOf(
      system.api,
      finding.detail.id,
      (v) => v.incident.status === 'rolled-back',
    );
    const policies = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: fn.roleName }));

    // Assess: exactly the state before, read back
    expect(stepOf(rolledBack, 'rollback.lambda-function').status).toBe('succeeded');
    expect(stepOf(rolledBack, 'rollback.role-sessions').status).toBe('succeeded');
    expect(await readFunction(lambda, fn.functionName, fn.mappingIds)).toEqual(before);
    expect(policies.AttachedPolicies).toEqual([]);
  });
});
