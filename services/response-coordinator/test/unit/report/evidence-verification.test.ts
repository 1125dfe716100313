import type { KMSClient } from '@aws-sdk/client-kms';
import type { S3Client } from '@aws-sdk/client-s3';
import { createLogger } from '@ir/runtime';
import { describe, expect, it } from 'vitest';
import { reportVerifier } from '../../../src/report/evidence-verification.js';

const logger = createLogger({ service: 'response-coordinator', level: 'silent' });
const clock = () => new Date('2026-11-22T12:00:00.000Z');

describe('reportVerifier', () => {
  it('says "not configured" without an evidence bucket, reading nothing', async () => {
    // Prepare
    const verify = reportVerifier({ clock });

    // Act
    const verification = await verify('inc-1', logger);

    // Assess
    expect(verification).toMatchObject({ status: 'not-configured', ok: null, bucket: null });
    expect(verification.detail).toContain('IR_EVIDENCE_BUCKET');
  });

  it('reports an unreadable bucket as an error with the reason, never as verified', async () => {
    // Prepare: a client whose every call is refused. Mocked because the emulator does not enforce
    // IAM, so it cannot refuse the coordinator's read-only role.
    const refused = Object.assign(new Error('Access Denied'), { name: 'AccessDenied' });
    const s3 = { send: async () => Promise.reject(refused) } as unknown as S3Client;
    const kms = { send: async () => Promise.reject(refused) } as unknown as KMSClient;
    const verify = reportVerifier({ s3, bucket: 'ir-evidence', signing: { kms, keyId: 'alias/k' }, clock });

    // Act
    const verification = await verify('inc-1', logger);

    // Assess
    expect(verification).toMatchObject({
      status: 'error',
      ok: null,
      bucket: 'ir-evidence',
      checkedAt: '2026-11-22T12:00:00.000Z',
      problems: ['AccessDenied: Access Denied'],
    });
  });
});
