import { Readable } from 'node:stream';
import { S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { objectTags } from '../../src/actions/protection/s3-tags.js';
import { objectStatementSid } from '../../src/actions/s3/object.js';

/*
 * Emulator gap: moto 5.2.5 treats every GET of a key (GetObjectTagging too) as s3:GetObject and
 * applies a bucket-policy deny to every caller, ignoring the statement's condition, so after
 * contain.s3-object quarantines a key the isolator cannot read its tags there; in AWS the statement
 * exempts the isolator's role. These cases give the real S3 client AWS's answers (the S3 API
 * reference's error shape for AccessDenied and NoSuchTagSet, and a bucket policy) to check both
 * branches: a refusal under this incident's own quarantine relies on the earlier read, any other is
 * unreadable (never "not protected").
 */
const ACCESS_DENIED = `<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>4442587FB7D0A2F9</RequestId><HostId>host</HostId></Error>`;
const NO_TAG_SET = `<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>NoSuchTagSet</Code><Message>The TagSet does not exist</Message><RequestId>4442587FB7D0A2FA</RequestId></Error>`;

/** `objectTags` of `uploads/invoice.pdf` for `incidentId`, and the Sid its own quarantine would have. */
function objectTagsOf(incidentId: string) {
  return {
    sid: objectStatementSid(incidentId, 'uploads', 'invoice.pdf'),
    read: (s3: S3Client) =>
      objectTags(async () => s3 as never, { bucketName: 'uploads', key: 'invoice.pdf' }, incidentId),
  };
}

function s3Answering(policySid: string) {
  const policy = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Sid: policySid, Effect: 'Deny', Principal: '*', Action: 's3:GetObject*', Resource: '*' }],
  });
  return new S3Client({
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-secret' },
    requestHandler: {
      handle: async (request: { query?: Record<string, unknown> }) => {
        const query = request.query ?? {};
        const [status, body] =
          'tagging' in query && (request as { path?: string }).path?.includes('/invoice.pdf')
            ? [403, ACCESS_DENIED]
            : 'tagging' in query
              ? [404, NO_TAG_SET]
              : [200, policy];
        return {
          response: {
            statusCode: status,
            headers: { 'content-type': status === 200 ? 'application/json' : 'application/xml' },
            body: Readable.from([Buffer.from(body)]),
          },
        };
      },
    } as never,
  });
}

describe('the protected-tag gate reading an object whose tags are refused', () => {
  it('relies on the earlier read when the key is under this incident own read quarantine', async () => {
    const { sid, read } = objectTagsOf('inc-1');
    const tags = await read(s3Answering(sid));
    expect(tags).toEqual([{ key: 's3-bucket:uploads', tags: {} }]);
  });

  it('refuses (AccessDenied, which the gate makes unreadable) under anyone else statement', async () => {
    const { read } = objectTagsOf('inc-1');
    const other = objectTagsOf('inc-2').sid;
    await expect(read(s3Answering(other))).rejects.toMatchObject({ name: 'AccessDenied' });
  });
});
