import type { EvidenceManifest } from '@ir/evidence';
import { createLambdaFunction, uniqueName } from '@ir/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forensicsFixture, type StepResult } from './harness.js';
import { hashVersion, incidentVersions, readJson, retentionOf } from './evidence-reader.js';

type Fixture = Awaited<ReturnType<typeof forensicsFixture>>;

function resultOf(answer: StepResult): Record<string, unknown> {
  if (answer.type !== 'step.succeeded')
    throw new Error(`expected success: ${JSON.stringify(answer.payload)}`);
  return answer.payload.result as Record<string, unknown>;
}

/*
 * The code package is downloaded from the presigned `Code.Location` GetFunction returns. moto 5.2.5
 * answers with the AWS host (`awslambda-<region>-tasks.s3.<region>.amazonaws.com/<key>`); with the
 * emulator endpoint configured the service fetches that bucket and key from the endpoint (never
 * leaving 127.0.0.1), and the testkit puts the package there, as AWS does.
 */
describe('forensics service: evidence.collect-lambda (on the emulator)', () => {
  let fixture: Fixture;
  beforeAll(async () => {
    fixture = await forensicsFixture();
  });
  afterAll(async () => {
    await fixture.stop();
  });

  const make = (options: Partial<Parameters<typeof createLambdaFunction>[0]> = {}) =>
    createLambdaFunction({
      clients: fixture.clients,
      region: fixture.region,
      functionName: uniqueName('ir-fn'),
      ...options,
    });

  it('stores the configuration, policy, mappings and the code package, hashed and locked, and the seal lists the package with its hash', async () => {
    // Prepare
    const fn = await make({
      reservedConcurrency: 4,
      resourcePolicy: true,
      publishVersion: true,
      mappings: [{ enabled: true }, { enabled: false }],
      tags: { team: 'billing' },
    });
    // Act
    const collected = resultOf(
      await fixture.run(
        'evidence.collect-lambda',
        { functionName: fn.functionName, qualifier: fn.version },
        { stepId: 'lambda' },
      ),
    );
    const sealed = resultOf(await fixture.run('evidence.seal', {}, { stepId: 'seal-lambda' }));
    // Assess
    const bucket = fixture.system.bucketName;
    const prefix = `incidents/${fixture.incidentId}/lambda`;
    const versions = await incidentVersions(fixture.clients.s3, bucket, fixture.incidentId);
    const code = versions.find((v) => v.key === `${prefix}/lambda-code.zip`);
    if (!code) throw new Error(`no code package among ${versions.map((v) => v.key).join(', ')}`);
    expect(await hashVersion(fixture.clients.s3, bucket, code.key, code.versionId)).toBe(fn.codeSha256);
    expect((await retentionOf(fixture.clients.s3, bucket, code.key, code.versionId)).mode).toBe('GOVERNANCE');
    expect(collected).toMatchObject({
      functionName: fn.functionName,
      hasPolicy: true,
      eventSourceMappings: 2,
      codeSha256: fn.codeSha256,
      code: { packageType: 'Zip', matchesLambdaCodeSha256: true },
      gaps: [],
    });
    const document = await readJson<{
      configuration: { FunctionName: string; Role: string; Version: string };
      code: { location: string; artifact: { sha256: string } };
      reservedConcurrency: number;
      policy: { Statement: { Sid: string }[] };
      eventSourceMappings: { UUID: string; State: string }[];
      tags: Record<string, string>;
    }>(fixture.clients.s3, bucket, `${prefix}/lambda-function.json`);
    expect(document.configuration).toMatchObject({ FunctionName: fn.functionName, Role: fn.roleArn });
    expect(document.configuration.Version).toBe(fn.version);
    expect(document.code.artifact.sha256).toBe(fn.codeSha256);
    // The presigned URL's query (signature, session token) is a credential: never stored.
    expect(document.code.location).not.toContain('?');
    expect(document.reservedConcurrency).toBe(4);
    expect(document.policy.Statement.map((s) => s.Sid)).toEqual(['s3-invoke']);
    expect(document.eventSourceMappings.map((m) => [m.UUID, m.State]).sort()).toEqual(
      [
        [fn.mappingIds[0], 'Enabled'],
        [fn.mappingIds[1], 'Disabled'],
      ].sort(),
    );
    expect(document.tags).toEqual({ team: 'billing' });
    const manifestKey = (sealed.manifest as { key: string }).key;
    const manifest = await readJson<EvidenceManifest>(fixture.clients.s3, bucket, manifestKey);
    expect(manifest.artifacts.find((a) => a.key === code.key)?.sha256).toBe(fn.codeSha256);
  });

  it('records a function without a resource policy as null, and a second run keeps the first collection', async () => {
    // Prepare
    const fn = await make();
    // Act
    const first = resultOf(
      await fixture.run(
        'evidence.collect-lambda',
        { functionName: fn.functionName },
        { stepId: 'twice-lambda' },
      ),
    );
    const second = resultOf(
      await fixture.run(
        'evidence.collect-lambda',
        { functionName: fn.functionName },
        { stepId: 'twice-lambda' },
      ),
    );
    // Assess
    expect(first).toMatchObject({ hasPolicy: false, eventSourceMappings: 0, codeSha256: fn.codeSha256 });
    expect((second.artifact as { reused: boolean }).reused).toBe(true);
    expect((second.codeArtifact as { reused: boolean }).reused).toBe(true);
    const keys = (await incidentVersions(fixture.clients.s3, fixture.system.bucketName, fixture.incidentId))
      .map((v) => v.key)
      .filter((key) => key.includes('/twice-lambda/'));
    expect(keys.sort()).toEqual([
      `incidents/${fixture.incidentId}/twice-lambda/lambda-code.zip`,
      `incidents/${fixture.incidentId}/twice-lambda/lambda-function.json`,
    ]);
  });

  it('writes nothing on a dry run, and fails a missing function', async () => {
    // Prepare
    const fn = await make();
    const incidentId = `dry-${fn.functionName}`;
    // Act
    const dry = await fixture.run(
      'evidence.collect-lambda',
      { functionName: fn.functionName },
      { dryRun: true, incidentId },
    );
    const missing = await fixture.run('evidence.collect-lambda', { functionName: 'ir-no-such-fn' });
    // Assess
    expect(resultOf(dry).wouldWrite).toHaveLength(2);
    expect(await incidentVersions(fixture.clients.s3, fixture.system.bucketName, incidentId)).toEqual([]);
    expect(missing.type).toBe('step.failed');
    expect(missing.payload).toMatchObject({ errorName: 'StepRefusedError' });
  });
});
