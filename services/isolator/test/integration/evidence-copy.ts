import { createHash } from 'node:crypto';
import { PutObjectCommand, PutObjectLegalHoldCommand } from '@aws-sdk/client-s3';
import { EICAR_TEST_FILE } from '@ir/testkit';
import type { isolatorFixture } from './harness.js';

/**
 * What `evidence.s3-object` leaves in the evidence bucket for one object version (the copy with its
 * SHA-256, a legal hold unless `hold: false`, the record beside it), put there with the emulator's
 * admin client: the forensics side is tested in services/forensics, the two together in the S3
 * malware whole-pipeline test. `prefix` is where the incident's copy goes
 * (`incidents/<incident>/copy-object`, or a case's own).
 */
export async function storeEvidence(
  fixture: Awaited<ReturnType<typeof isolatorFixture>>,
  object: { bucketName: string; key: string; versionId: string; eTag: string },
  prefix: string,
  options: { hold?: boolean } = {},
): Promise<void> {
  const s3 = fixture.clients.s3;
  const bucket = fixture.system.bucketName;
  const sha256 = createHash('sha256').update(EICAR_TEST_FILE).digest('hex');
  const copyKey = `${prefix}/s3-object.bin`;
  const copy = await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: copyKey,
      Body: EICAR_TEST_FILE,
      Metadata: { 'ir-sha256': sha256 },
    }),
  );
  if (options.hold !== false) {
    await s3.send(
      new PutObjectLegalHoldCommand({
        Bucket: bucket,
        Key: copyKey,
        VersionId: copy.VersionId,
        LegalHold: { Status: 'ON' },
      }),
    );
  }
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: `${prefix}/s3-object.json`,
      Body: JSON.stringify({
        source: { ...object, size: EICAR_TEST_FILE.length },
        sha256,
        copy: { bucket, key: copyKey, versionId: copy.VersionId },
        legalHold: 'ON',
      }),
    }),
  );
}
