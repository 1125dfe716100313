import { createHash, randomUUID } from 'node:crypto';
import { CreateKeyCommand, VerifyCommand } from '@aws-sdk/client-kms';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { createBucket, createIamUser, createInstance, createVpc } from '@ir/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvidenceManifest } from '@ir/evidence';
import {
  canonicalManifestBytes,
  type ManifestSignature,
  manifestKey as keyOfManifest,
  signManifest,
  verifyEvidence,
} from '@ir/evidence';
import { hashVersion, incidentVersions, readJson, retentionOf } from './evidence-reader.js';
import { type ForensicsFixture, forensicsFixture, type StepResult } from './harness.js';

/** The manifest key a seal step reported. */
function manifestOf(result: StepResult): string {
  if (result.type !== 'step.succeeded') throw new Error(`seal failed: ${result.payload.reason}`);
  return (result.payload.result as { manifest: { key: string } }).manifest.key;
}

/** A new version over an existing key, as someone with write access to the bucket could write it. */
async function overwrite(fixture: ForensicsFixture, key: string, body: string): Promise<void> {
  await fixture.clients.s3.send(
    new PutObjectCommand({
      Bucket: fixture.system.bucketName,
      Key: key,
      Body: body,
      ChecksumAlgorithm: 'SHA256',
      ChecksumSHA256: createHash('sha256').update(body).digest('base64'),
    }),
  );
}

/**
 * Appends a manifest to an incident's chain as a forger with write access to the bucket would: next
 * sequence, `previous` naming the last manifest's exact version and SHA-256 (a consistent link), and
 * `signature` as given. Returns its key.
 */
async function appendForged(
  fixture: ForensicsFixture,
  incidentId: string,
  sign: (manifest: EvidenceManifest) => Promise<ManifestSignature | undefined>,
): Promise<string> {
  const bucket = fixture.system.bucketName;
  const manifests = (await incidentVersions(fixture.clients.s3, bucket, incidentId)).filter((v) =>
    v.key.includes('/manifests/'),
  );
  const last = manifests.sort((a, b) => a.key.localeCompare(b.key)).at(-1);
  if (!last) throw new Error(`incident ${incidentId} has no manifest to append to`);
  const { signature: _genuine, ...previous } = await readJson<EvidenceManifest>(
    fixture.clients.s3,
    bucket,
    last.key,
  );
  const forged: EvidenceManifest = {
    ...previous,
    sequence: previous.sequence + 1,
    stepId: 'forged',
    sealedAt: new Date().toISOString(),
    previous: {
      key: last.key,
      versionId: last.versionId,
      sha256: await hashVersion(fixture.clients.s3, bucket, last.key, last.versionId),
    },
    artifacts: [],
    warnings: [],
  };
  const signature = await sign(forged);
  const key = keyOfManifest(incidentId, forged.sequence, forged.stepId);
  await overwrite(fixture, key, JSON.stringify(signature ? { ...forged, signature } : forged, null, 2));
  return key;
}

describe('forensics service: evidence.seal and verifyEvidence (on the emulator)', () => {
  let fixture: ForensicsFixture;
  let manifestKey: string;
  beforeAll(async () => {
    fixture = await forensicsFixture();
    const vpc = await createVpc({ ec2: fixture.clients.ec2 });
    const instance = await createInstance({ ec2: fixture.clients.ec2, subnetIds: vpc.subnetIds });
    const user = await createIamUser({ iam: fixture.clients.iam, accessKeys: 1 });
    const bucket = await createBucket({ s3: fixture.clients.s3 });
    for (const [type, params] of [
      ['evidence.snapshot-volumes', { instanceId: instance.instanceId }],
      ['evidence.capture-instance', { instanceId: instance.instanceId }],
      ['evidence.collect-volatile', { instanceId: instance.instanceId }],
      ['evidence.collect-iam', { userName: user.userName }],
      ['evidence.collect-s3', { bucketName: bucket.bucketName }],
    ] as const) {
      const result = await fixture.run(type, params as never);
      expect(result.type, type).toBe('step.succeeded');
    }
    const sealed = await fixture.run('evidence.seal', {}, { stepId: 'seal-1' });
    expect(sealed.type).toBe('step.succeeded');
    manifestKey = manifestOf(sealed);
  });
  afterAll(async () => {
    await fixture?.service.stop();
  });

  it('locks every artifact and lists it in the manifest with the SHA-256 of its bytes', async () => {
    // Prepare
    const bucket = fixture.system.bucketName;
    const manifest = await readJson<EvidenceManifest>(fixture.clients.s3, bucket, manifestKey);
    // Act
    const versions = await incidentVersions(fixture.clients.s3, bucket, fixture.incidentId);
    // Assess
    const artifacts = versions.filter((v) => !v.key.includes('/manifests/'));
    expect(artifacts.length).toBeGreaterThanOrEqual(9);
    expect(manifest.artifacts.map((a) => a.key).sort()).toEqual(artifacts.map((a) => a.key).sort());
    for (const version of versions) {
      const retention = await retentionOf(fixture.clients.s3, bucket, version.key, version.versionId);
      expect(retention.mode, version.key).toBe('GOVERNANCE');
      expect(retention.until?.getTime(), version.key).toBeGreaterThan(Date.now() + 300 * 86_400_000);
    }
    for (const entry of manifest.artifacts) {
      expect(await hashVersion(fixture.clients.s3, bucket, entry.key, entry.versionId), entry.key).toBe(
        entry.sha256,
      );
      expect(entry.collector).toMatch(/^arn:aws:sts::|^arn:aws:iam::/);
    }
    expect(manifest.previous).toBeNull();
  });

  it('verifies an untouched incident as ok', async () => {
    // Prepare
    const options = {
      s3: fixture.clients.s3,
      bucket: fixture.system.bucketName,
      incidentId: fixture.incidentId,
      signing: fixture.signing,
    };
    // Act
    const report = await verifyEvidence(options);
    // Assess
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.artifacts.every((a) => a.status === 'match')).toBe(true);
  });

  it('chains a second seal to the first by its SHA-256', async () => {
    // Prepare
    const bucket = fixture.system.bucketName;
    const first = (await incidentVersions(fixture.clients.s3, bucket, fixture.incidentId)).find(
      (v) => v.key === manifestKey,
    );
    // Act
    const result = await fixture.run('evidence.seal', {}, { stepId: 'seal-2' });
    // Assess
    expect(result.type).toBe('step.succeeded');
    const second = manifestOf(result);
    const manifest = await readJson<EvidenceManifest>(fixture.clients.s3, bucket, second);
    expect(manifest.sequence).toBe(2);
    expect(manifest.previous).toEqual({
      key: manifestKey,
      versionId: first?.versionId,
      sha256: await hashVersion(fixture.clients.s3, bucket, manifestKey, first?.versionId ?? ''),
    });
  });

  it('reports a tampered artifact while the locked original stays readable', async () => {
    // Prepare
    const bucket = fixture.system.bucketName;
    const manifest = await readJson<EvidenceManifest>(fixture.clients.s3, bucket, manifestKey);
    const target = manifest.artifacts.find((a) => a.key.endsWith('instance.json'));
    if (!target) throw new Error('no instance.json in the manifest');
    await overwrite(fixture, target.key, '{"instance":"nothing to see here"}');
    // Act
    const report = await verifyEvidence({
      s3: fixture.clients.s3,
      bucket,
      incidentId: fixture.incidentId,
      signing: fixture.signing,
    });
    // Assess
    expect(report.ok).toBe(false);
    const check = report.artifacts.find((a) => a.key === target.key);
    expect(check?.status).toBe('match');
    expect(check?.latestDiffers).toBe(true);
    expect(check?.latestSha256).not.toBe(target.sha256);
    expect(report.problems.some((p) => p.includes(target.key) && p.includes('later version'))).toBe(true);
    expect(await hashVersion(fixture.clients.s3, bucket, target.key, target.versionId)).toBe(target.sha256);
  });

  it('reports a broken chain when a manifest does not link to its predecessor', async () => {
    // Prepare
    const bucket = fixture.system.bucketName;
    const manifests = (await incidentVersions(fixture.clients.s3, bucket, fixture.incidentId)).filter((v) =>
      v.key.includes('/manifests/'),
    );
    const forged = { ...(await readJson<EvidenceManifest>(fixture.clients.s3, bucket, manifestKey)) };
    forged.sequence = manifests.length + 1;
    forged.stepId = 'forged';
    forged.previous = { key: manifestKey, versionId: 'not-a-version', sha256: '0'.repeat(64) };
    await overwrite(
      fixture,
      `incidents/${fixture.incidentId}/manifests/${String(forged.sequence).padStart(6, '0')}-forged.json`,
      JSON.stringify(forged),
    );
    // Act
    const report = await verifyEvidence({
      s3: fixture.clients.s3,
      bucket,
      incidentId: fixture.incidentId,
      signing: fixture.signing,
    });
    // Assess
    const broken = report.manifests.filter((m) => m.status === 'broken');
    expect(broken.map((m) => m.sequence)).toEqual([forged.sequence]);
    expect(broken[0]?.reason).toContain('links to');
  });
});

describe('forensics service: signed manifests (on the emulator, KMS Sign and Verify)', () => {
  let fixture: ForensicsFixture;
  let otherKeyArn: string;
  /** A fresh incident sealed once by the service, for each forgery to be appended to. */
  const sealedIncident = async (): Promise<string> => {
    const incidentId = `inc-${randomUUID().slice(0, 8)}`;
    const capture = await fixture.run(
      'evidence.collect-s3',
      { bucketName: fixture.system.bucketName },
      {
        incidentId,
      },
    );
    expect(capture.type).toBe('step.succeeded');
    const sealed = await fixture.run('evidence.seal', {}, { incidentId, stepId: 'seal-1' });
    expect(sealed.type).toBe('step.succeeded');
    return incidentId;
  };
  const verify = (incidentId: string) =>
    verifyEvidence({
      s3: fixture.clients.s3,
      bucket: fixture.system.bucketName,
      incidentId,
      signing: fixture.signing,
    });
  beforeAll(async () => {
    fixture = await forensicsFixture();
    const other = await fixture.clients.kms.send(
      new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }),
    );
    otherKeyArn = other.KeyMetadata?.Arn ?? '';
  });
  afterAll(async () => {
    await fixture?.service.stop();
  });

  it('signs each manifest with the configured key, which KMS verifies, and the chain verifies as ok', async () => {
    // Prepare
    const incidentId = await sealedIncident();
    const second = await fixture.run('evidence.seal', {}, { incidentId, stepId: 'seal-2' });
    expect(second.type).toBe('step.succeeded');
    // Act
    const report = await verify(incidentId);
    // Assess
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.manifests.map((m) => [m.sequence, m.status, m.signature])).toEqual([
      [1, 'ok', 'valid'],
      [2, 'ok', 'valid'],
    ]);
    const manifest = await readJson<EvidenceManifest>(
      fixture.clients.s3,
      fixture.system.bucketName,
      manifestOf(second),
    );
    expect(manifest.signature).toMatchObject({
      keyId: fixture.system.signingKeyArn,
      algorithm: 'ECDSA_SHA_256',
    });
    const verified = await fixture.clients.kms.send(
      new VerifyCommand({
        KeyId: fixture.system.signingKeyArn,
        Message: createHash('sha256').update(canonicalManifestBytes(manifest)).digest(),
        MessageType: 'DIGEST',
        Signature: Buffer.from(manifest.signature?.value ?? '', 'base64'),
        SigningAlgorithm: 'ECDSA_SHA_256',
      }),
    );
    expect(verified.SignatureValid).toBe(true);
  });

  it('reports an unsigned manifest appended with a consistent link, naming it', async () => {
    // Prepare
    const incidentId = await sealedIncident();
    const forged = await appendForged(fixture, incidentId, async () => undefined);
    // Act
    const report = await verify(incidentId);
    // Assess
    expect(report.ok).toBe(false);
    expect(report.manifests.map((m) => [m.sequence, m.status, m.signature])).toEqual([
      [1, 'ok', 'valid'],
      [2, 'broken', 'unsigned'],
    ]);
    expect(report.manifests[1]?.reason).not.toContain('links to');
    expect(report.problems).toEqual([`manifest ${forged}: unsigned: the manifest carries no signature`]);
  });

  it('reports a manifest signed with another KMS key', async () => {
    // Prepare
    const incidentId = await sealedIncident();
    const forged = await appendForged(fixture, incidentId, (manifest) =>
      signManifest(fixture.clients.kms, otherKeyArn, manifest),
    );
    // Act
    const report = await verify(incidentId);
    // Assess
    expect(report.ok).toBe(false);
    expect(report.manifests.at(-1)).toMatchObject({ key: forged, status: 'broken', signature: 'invalid' });
    expect(report.problems).toHaveLength(1);
    expect(report.problems[0]).toContain(`manifest ${forged}: signature does not verify`);
    expect(report.problems[0]).toContain(otherKeyArn);
  });

  it('reports a tampered signature', async () => {
    // Prepare: a genuine signature of the forged manifest, one byte of it changed
    const incidentId = await sealedIncident();
    const forged = await appendForged(fixture, incidentId, async (manifest) => {
      const genuine = await signManifest(fixture.clients.kms, fixture.system.signingKeyArn, manifest);
      const bytes = Buffer.from(genuine.value, 'base64');
      bytes[10] = (bytes[10] ?? 0) ^ 0x01;
      return { ...genuine, value: bytes.toString('base64') };
    });
    // Act
    const report = await verify(incidentId);
    // Assess
    expect(report.ok).toBe(false);
    expect(report.manifests.at(-1)).toMatchObject({ key: forged, status: 'broken', signature: 'invalid' });
    expect(report.problems).toEqual([
      `manifest ${forged}: signature does not verify with the signing key ${fixture.system.signingKeyArn}`,
    ]);
  });

  it('reports a genuine signature carried over to other content', async () => {
    // Prepare: the sealed manifest's own signature, on a manifest that says something else
    const incidentId = await sealedIncident();
    const sealed = await readJson<EvidenceManifest>(
      fixture.clients.s3,
      fixture.system.bucketName,
      keyOfManifest(incidentId, 1, 'seal-1'),
    );
    const forged = await appendForged(fixture, incidentId, async () => sealed.signature);
    // Act
    const report = await verify(incidentId);
    // Assess
    expect(report.ok).toBe(false);
    expect(report.manifests.at(-1)).toMatchObject({ key: forged, status: 'broken', signature: 'invalid' });
  });
});
