/**
 * The lambda-compromise playbook from finding to final state: the five services as separate processes
 * against the emulator, GuardDuty's Lambda Protection finding (the intake fixture
 * `guardduty-eventbridge-lambda.json`, built from the API reference and the finding-type page it names)
 * sent as EventBridge delivers it, and the function, its mappings, its execution role and the evidence
 * read back; then the rollback, read back too.
 */
import { ListAttachedRolePoliciesCommand } from '@aws-sdk/client-iam';
import {
  GetEventSourceMappingCommand,
  GetFunctionConcurrencyCommand,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { createLambdaFunction, uniqueName } from '@ir/testkit';
import { describe, expect, it } from 'vitest';
import { systemInIsolatedAccount } from '../support/e2e-fixture.js';
import { type EventBridgeSample, eventBridgeSample, type SampleTarget } from '../support/finding-samples.js';
import { stepOf } from '../support/incident-progress.js';
import { rollBackAndWait, sendFindingAndWait, verifyIncidentEvidence } from '../support/incident-flow.js';
import { useSystem } from '../support/suite.js';

/** The parts of the sample EventBridge event this test points at its own function. */
interface LambdaEvent extends EventBridgeSample {
  detail: EventBridgeSample['detail'] & {
    resource: {
      lambdaDetails: { functionName: string; functionVersion: string; functionArn: string; role: string };
    };
  };
}

/**
 * The documented sample, pointed at this account, region, function, version and execution role, with
 * fresh ids and times.
 */
function lambdaFinding(where: SampleTarget, fn: { functionName: string; version: string; roleArn: string }) {
  const event = eventBridgeSample<LambdaEvent>('guardduty-eventbridge-lambda.json', where);
  const lambda = event.detail.resource.lambdaDetails;
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
  const running = useSystem(() => systemInIsolatedAccount());

  it('collects the function and its code, stops it, revokes its role, seals, and the rollback restores it', async () => {
    const system = running();
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
    const finding = lambdaFinding(system, {
      functionName: fn.functionName,
      version: fn.version ?? '1',
      roleArn: fn.roleArn,
    });

    // Act
    const view = await sendFindingAndWait(
      system,
      finding,
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
    const report = await verifyIncidentEvidence(system, view.incident.incidentId);
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);

    // Act: roll the incident back as a responder would
    // (the two-person rule: a person other than the requester approves the held rollback batch).
    const rolledBack = await rollBackAndWait(system, view, finding.detail.id, 'false positive: a load test');
    const policies = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: fn.roleName }));

    // Assess: exactly the state before, read back
    expect(stepOf(rolledBack, 'rollback.lambda-function').status).toBe('succeeded');
    expect(stepOf(rolledBack, 'rollback.role-sessions').status).toBe('succeeded');
    expect(await readFunction(lambda, fn.functionName, fn.mappingIds)).toEqual(before);
    expect(policies.AttachedPolicies).toEqual([]);
  });
});
