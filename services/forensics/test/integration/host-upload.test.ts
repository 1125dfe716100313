import { createHash, randomBytes } from 'node:crypto';
import { KMSClient } from '@aws-sdk/client-kms';
import { createLogger } from '@ir/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEvidenceStore } from '../../src/evidence/evidence-store.js';
import { type HostUpload, startHostUpload } from '../../src/evidence/host-upload.js';
import { sealIncident } from '../../src/handlers/seal.js';
import type { ActionDeps } from '../../src/handlers/types.js';
import { verifyEvidence } from '@ir/evidence';
import { hashVersion, retentionOf } from './evidence-reader.js';
import { type ForensicsFixture, forensicsFixture } from './harness.js';

/**
 * The memory image upload path on the emulator. moto's SSM reports success without running anything,
 * so no host ever uploads there: the test does what the part command does on the host (an HTTP PUT of
 * each part's bytes to its presigned URL, reading the ETag header), against the real S3 API of the
 * emulator. The SSM side (scripts, output parsing, outcomes) is unit-tested on recorded outputs
 * (test/unit/memory-capture.test.ts).
 */
describe('host upload of a memory image (on the emulator)', () => {
  let fixture: ForensicsFixture;
  const settings = {
    lockMode: 'GOVERNANCE' as const,
    retentionDays: 1,
    kmsKeyId: undefined,
    collector: async () => 'arn:aws:sts::000000000000:assumed-role/forensics/test',
    now: () => new Date(),
  };
  beforeAll(async () => {
    fixture = await forensicsFixture();
  });
  afterAll(async () => {
    await fixture?.service.stop();
  });

  const store = () =>
    createEvidenceStore({ s3: fixture.clients.s3, bucket: fixture.system.bucketName, ...settings });

  /** What the host's part command does: PUT the part's bytes to the URL, keep the ETag. */
  async function putParts(upload: HostUpload, image: Uint8Array) {
    const etags: Array<{ partNumber: number; etag: string }> = [];
    for (const part of upload.parts) {
      const response = await fetch(await upload.presign(part.partNumber), {
        method: 'PUT',
        body: image.subarray(part.offset, part.offset + part.length),
      });
      expect(response.status).toBe(200);
      etags.push({ partNumber: part.partNumber, etag: response.headers.get('etag') ?? '' });
    }
    return etags;
  }

  const input = (incidentId: string, claimedSha256: string, size: number) => ({
    incidentId,
    stepId: 'collect-volatile:i-0abc',
    action: 'evidence.collect-volatile',
    name: 'memory/memory.lime',
    contentType: 'application/octet-stream',
    sourceAccount: fixture.account.accountId,
    claimedSha256,
    size,
    partBytes: 5 * 1024 * 1024,
  });

  it('stores a two-part image locked under the incident, hashed by the service, and seals it', async () => {
    // Prepare: an "image" of 5 MiB + 1 KiB, so two parts (S3's minimum part is 5 MiB).
    const incidentId = 'inc-memory-ok';
    const image = randomBytes(5 * 1024 * 1024 + 1024);
    const sha = createHash('sha256').update(image).digest('hex');
    // Act
    const { upload, result } = await hostUploads(incidentId, image, sha);
    // Assess: the object, read back, is the image, locked; the service's hash agrees with the host's.
    expect(upload.parts).toHaveLength(2);
    expect(result.hashMatchesClaim).toBe(true);
    expect(result.artifact.sha256).toBe(sha);
    const { key, versionId } = result.artifact;
    expect(await hashVersion(fixture.clients.s3, fixture.system.bucketName, key, versionId)).toBe(sha);
    expect((await retentionOf(fixture.clients.s3, fixture.system.bucketName, key, versionId)).mode).toBe(
      'GOVERNANCE',
    );
    // Act: seal, then verify.
    await seal(incidentId);
    const report = await verifyEvidence({
      s3: fixture.clients.s3,
      bucket: fixture.system.bucketName,
      incidentId,
      signing: fixture.signing,
    });
    // Assess
    expect(report.ok).toBe(true);
    expect(report.artifacts.find((a) => a.key === key)).toMatchObject({ status: 'match', actualSha256: sha });
    // Act: a second run of the step finds the image instead of uploading another version.
    const again = await startHostUpload(
      fixture.clients.s3,
      store(),
      settings,
      input(incidentId, sha, image.length),
      300,
    );
    // Assess
    expect('existing' in again && again.existing).toMatchObject({ versionId, sha256: sha, reused: true });
  });

  it('says when the stored bytes do not hash to what the host claimed, and seals the bytes as stored', async () => {
    // Prepare
    const incidentId = 'inc-memory-claim';
    const image = randomBytes(1024);
    const claimed = 'f'.repeat(64);
    // Act
    const { result } = await hostUploads(incidentId, image, claimed);
    const sealed = await seal(incidentId);
    // Assess
    expect(result.hashMatchesClaim).toBe(false);
    expect(result.artifact.sha256).toBe(createHash('sha256').update(image).digest('hex'));
    expect((sealed.result.warnings as string[]).join('\n')).toContain(`which said it hashes to ${claimed}`);
  });

  it('refuses a completed upload whose size differs from what the host captured', async () => {
    // Prepare: the host said 2048 bytes, and sends 1024.
    const image = randomBytes(1024);
    const upload = await startHostUpload(
      fixture.clients.s3,
      store(),
      settings,
      input('inc-memory-short', createHash('sha256').update(image).digest('hex'), 2048),
      300,
    );
    if ('existing' in upload) throw new Error('nothing was stored yet');
    const etags: Array<{ partNumber: number; etag: string }> = [];
    const response = await fetch(await upload.presign(1), { method: 'PUT', body: image });
    etags.push({ partNumber: 1, etag: response.headers.get('etag') ?? '' });
    // Act / Assess
    await expect(upload.complete(etags)).rejects.toThrow(/holds 1024 bytes, but the host captured 2048/);
  });

  /** Starts an upload, does the host's part, completes it. */
  async function hostUploads(incidentId: string, image: Uint8Array, claimed: string) {
    const upload = await startHostUpload(
      fixture.clients.s3,
      store(),
      settings,
      input(incidentId, claimed, image.length),
      300,
    );
    if ('existing' in upload) throw new Error('nothing was stored yet');
    return { upload, result: await upload.complete(await putParts(upload, image)) };
  }

  function seal(incidentId: string) {
    return sealIncident(sealDeps(), {
      incidentId,
      stepId: 'seal',
      action: 'evidence.seal',
      dryRun: false,
      logger: createLogger({ service: 'test', level: 'silent' }),
    });
  }

  function sealDeps(): ActionDeps {
    return {
      store: store(),
      aws: {
        // Seal writes to S3 and signs with KMS, both in our own account on the emulator.
        client: async (clientClass: unknown) =>
          clientClass === KMSClient ? fixture.clients.kms : fixture.clients.s3,
        homeAccountId: async () => fixture.account.accountId,
      },
      config: { IR_EVIDENCE_SIGNING_KEY: fixture.signing.keyId },
      now: () => new Date(),
      callerArn: settings.collector,
    } as unknown as ActionDeps;
  }
});
