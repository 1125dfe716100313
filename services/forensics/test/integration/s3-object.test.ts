import { createHash } from 'node:crypto';
import {
  CreateBucketCommand,
  GetObjectLegalHoldCommand,
  HeadObjectCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { verifyEvidence } from '@ir/evidence';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashVersion, incidentVersions, readJson } from './evidence-reader.js';
import { type ForensicsFixture, forensicsFixture } from './harness.js';

/** The EICAR test file: what GuardDuty's S3 malware fixture names (never real malware in tests). */
const EICAR = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*';

interface CopyRecord {
  source: { bucketName: string; key: string; versionId: string; eTag: string | null; size: number };
  sha256: string;
  copy: { bucket: string; key: string; versionId: string };
  legalHold: string;
}

describe('evidence.s3-object (on the emulator)', () => {
  let fixture: ForensicsFixture;
  let bucketName: string;
  const key = 'incoming/invoice-2024-05.pdf';
  let maliciousVersion: string;
  let laterVersion: string;

  beforeAll(async () => {
    fixture = await forensicsFixture();
    bucketName = `uploads-${Date.now()}`;
    const s3 = fixture.clients.s3;
    await s3.send(new CreateBucketCommand({ Bucket: bucketName }));
    await s3.send(
      new PutBucketVersioningCommand({ Bucket: bucketName, VersioningConfiguration: { Status: 'Enabled' } }),
    );
    maliciousVersion =
      (await s3.send(new PutObjectCommand({ Bucket: bucketName, Key: key, Body: EICAR }))).VersionId ?? '';
    // A newer, clean version on top: the copy must be of the version the finding names, not the latest.
    laterVersion =
      (await s3.send(new PutObjectCommand({ Bucket: bucketName, Key: key, Body: 'clean invoice' })))
        .VersionId ?? '';
  });
  afterAll(async () => {
    await fixture.stop();
  });

  it('copies exactly the named version, hashed here, locked and under a legal hold, and records its source', async () => {
    // Prepare
    const expected = createHash('sha256').update(EICAR).digest('hex');
    // Act
    const answer = await fixture.run(
      'evidence.s3-object',
      { bucketName, key, versionId: maliciousVersion },
      { stepId: 'copy-object' },
    );
    // Assess
    expect(answer.type, JSON.stringify(answer.payload)).toBe('step.succeeded');
    const evidence = fixture.system.bucketName;
    const record = await readJson<CopyRecord>(
      fixture.clients.s3,
      evidence,
      `incidents/${fixture.incidentId}/copy-object/s3-object.json`,
    );
    expect(record.source).toMatchObject({ bucketName, key, versionId: maliciousVersion, size: EICAR.length });
    expect(record.sha256).toBe(expected);
    expect(record.copy.key).toBe(`incidents/${fixture.incidentId}/copy-object/s3-object.bin`);
    // Read back from the evidence bucket: the bytes hash to the recorded value (hashed again here,
    // because moto does not verify x-amz-checksum-sha256 on upload: emulator gap).
    expect(await hashVersion(fixture.clients.s3, evidence, record.copy.key, record.copy.versionId)).toBe(
      expected,
    );
    const hold = await fixture.clients.s3.send(
      new GetObjectLegalHoldCommand({
        Bucket: evidence,
        Key: record.copy.key,
        VersionId: record.copy.versionId,
      }),
    );
    expect(hold.LegalHold?.Status).toBe('ON');
    const head = await fixture.clients.s3.send(
      new HeadObjectCommand({ Bucket: evidence, Key: record.copy.key, VersionId: record.copy.versionId }),
    );
    expect(head.ObjectLockMode).toBeDefined();
    expect(head.Metadata?.['ir-sha256']).toBe(expected);
  });

  it('keeps the first copy when run again, and the seal lists it so the verifier re-hashes it', async () => {
    // Prepare
    const before = await incidentVersions(fixture.clients.s3, fixture.system.bucketName, fixture.incidentId);
    // Act
    const again = await fixture.run(
      'evidence.s3-object',
      { bucketName, key, versionId: maliciousVersion },
      { stepId: 'copy-object' },
    );
    const seal = await fixture.run('evidence.seal', {}, { stepId: 'seal' });
    // Assess
    expect(again.type).toBe('step.succeeded');
    expect(seal.type).toBe('step.succeeded');
    const after = await incidentVersions(fixture.clients.s3, fixture.system.bucketName, fixture.incidentId);
    const copies = (list: typeof before) => list.filter((v) => v.key.includes('/copy-object/'));
    expect(copies(after)).toEqual(copies(before));
    const report = await verifyEvidence({
      s3: fixture.clients.s3,
      bucket: fixture.system.bucketName,
      incidentId: fixture.incidentId,
      signing: fixture.signing,
    });
    expect(report.ok, JSON.stringify(report)).toBe(true);
    expect(report.artifacts.map((a) => a.key)).toContain(
      `incidents/${fixture.incidentId}/copy-object/s3-object.bin`,
    );
  });

  it('copies the current version when the command names none', async () => {
    // Act
    const answer = await fixture.run('evidence.s3-object', { bucketName, key }, { stepId: 'copy-latest' });
    // Assess
    expect(answer.type, JSON.stringify(answer.payload)).toBe('step.succeeded');
    const record = await readJson<CopyRecord>(
      fixture.clients.s3,
      fixture.system.bucketName,
      `incidents/${fixture.incidentId}/copy-latest/s3-object.json`,
    );
    expect(record.source.versionId).toBe(laterVersion);
    expect(record.sha256).toBe(createHash('sha256').update('clean invoice').digest('hex'));
  });

  it('writes nothing on a dry run', async () => {
    // Prepare
    const incidentId = `dry-${Date.now()}`;
    // Act
    const answer = await fixture.run(
      'evidence.s3-object',
      { bucketName, key, versionId: maliciousVersion },
      { stepId: 'copy-object', dryRun: true, incidentId },
    );
    // Assess
    expect(answer.type).toBe('step.succeeded');
    expect(await incidentVersions(fixture.clients.s3, fixture.system.bucketName, incidentId)).toEqual([]);
  });

  it('fails, naming why, when the version is not there', async () => {
    // Act
    const answer = await fixture.run(
      'evidence.s3-object',
      { bucketName, key, versionId: 'no-such-version' },
      { stepId: 'copy-missing' },
    );
    // Assess
    expect(answer.type).toBe('step.failed');
    expect(answer.payload).toMatchObject({ errorName: 'StepRefusedError', retryable: false });
    expect(JSON.stringify(answer.payload)).toContain('is not there');
  });
});
