import { Readable } from 'node:stream';
import { S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { containS3Object, objectStatementSid } from '../../src/actions/s3/object.js';

/*
 * Emulator gap: moto 5.2.5 applies a bucket policy's Deny to every GET of the key but ignores the
 * statement's Condition, so once `contain.s3-object` has added its deny (which excepts the response
 * roles through `aws:PrincipalArn`), the emulator refuses the isolator's own GetObjectTagging, and a
 * repeat of the containment cannot run there. In AWS the exception holds. These tests give real SDK
 * clients the answers AWS gives (the S3 API reference's GetObjectTagging example, GetBucketPolicy's
 * JSON body, the STS API reference's GetCallerIdentity example), with only names and tags changed.
 */
const INCIDENT = 'inc-test-1';
const BUCKET = 'acme-uploads';
const KEY = 'incoming/invoice-2024-05.pdf';
const VERSION = '3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY';
const ROLE = 'arn:aws:sts::123456789012:assumed-role/ir-isolator-task/session';

const tagging = (tags: Record<string, string>) =>
  `<?xml version="1.0" encoding="UTF-8"?>
<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet>${Object.entries(tags)
    .map(([key, value]) => `<Tag><Key>${key}</Key><Value>${value}</Value></Tag>`)
    .join('')}</TagSet></Tagging>`;

const callerIdentity = `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>${ROLE}</Arn>
    <UserId>ARO123EXAMPLE123:session</UserId>
    <Account>123456789012</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata><RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId></ResponseMetadata>
</GetCallerIdentityResponse>`;

interface Sent {
  method: string;
  query: Record<string, unknown>;
}

/** Real SDK clients whose transport answers as AWS does for this object, and records what was sent. */
function recordedAws(policy: object, tags: Record<string, string>) {
  const sent: Sent[] = [];
  const answer = (statusCode: number, body: string, headers: Record<string, string> = {}) => ({
    response: { statusCode, headers, body: Readable.from([Buffer.from(body)]) },
  });
  const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-secret' };
  const s3 = new S3Client({
    region: 'us-east-1',
    credentials,
    requestHandler: {
      handle: async (request: { method: string; query: Record<string, unknown> }) => {
        sent.push({ method: request.method, query: request.query });
        if (request.method !== 'GET') return answer(200, '');
        if ('policy' in request.query) {
          return answer(200, JSON.stringify(policy), { 'content-type': 'application/json' });
        }
        if ('tagging' in request.query) {
          return answer(200, tagging(tags), {
            'content-type': 'application/xml',
            'x-amz-version-id': VERSION,
          });
        }
        return answer(404, '');
      },
    } as never,
  });
  const sts = new STSClient({
    region: 'us-east-1',
    credentials,
    requestHandler: {
      handle: async () => answer(200, callerIdentity, { 'content-type': 'text/xml' }),
    } as never,
  });
  const context = {
    incidentId: INCIDENT,
    dryRun: false,
    signal: new AbortController().signal,
    logger: { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined },
    client: async (type: unknown) => (type === S3Client ? s3 : sts),
  };
  return { sent, context };
}

describe('containS3Object, repeated after its deny is in place (recorded AWS answers)', () => {
  const deps = { config: { IR_S3_ALLOW_PRINCIPAL_ARNS: [] }, aws: {} } as never;

  it('changes nothing and reports the tags from before the first run as the pre-state', async () => {
    // Prepare: the state the first run left: its deny beside the owner's statement, its tag
    const sid = objectStatementSid(INCIDENT, BUCKET, KEY);
    const policy = {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'AppRead',
          Effect: 'Allow',
          Principal: '*',
          Action: 's3:GetObject',
          Resource: `arn:aws:s3:::${BUCKET}/*`,
        },
        {
          Sid: sid,
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:GetObject*',
          Resource: `arn:aws:s3:::${BUCKET}/${KEY}`,
          Condition: {
            StringNotLike: { 'aws:PrincipalArn': ['arn:aws:iam::123456789012:role/ir-isolator-task'] },
          },
        },
      ],
    };
    const aws = recordedAws(policy, { 'data-class': 'customer', 'ir:quarantined-by': INCIDENT });

    // Act
    const outcome = await containS3Object(deps)(
      { bucketName: BUCKET, key: KEY, versionId: VERSION },
      aws.context as never,
    );

    // Assess: nothing written (only reads were sent), and the pre-state is the owner's tags
    expect(aws.sent.every((request) => request.method === 'GET')).toBe(true);
    expect(outcome).toMatchObject({
      result: { changes: [], statementSid: sid },
      preState: {
        bucketName: BUCKET,
        key: KEY,
        versionId: VERSION,
        statementSid: sid,
        tags: { 'data-class': 'customer' },
      },
    });
  });

  it('refuses when the object is quarantined under another incident, writing nothing', async () => {
    // Prepare
    const aws = recordedAws({ Version: '2012-10-17', Statement: [] }, { 'ir:quarantined-by': 'inc-other' });

    // Act
    const outcome = containS3Object(deps)(
      { bucketName: BUCKET, key: KEY, versionId: VERSION },
      aws.context as never,
    );

    // Assess
    await expect(outcome).rejects.toMatchObject({ name: 'ContainmentRefusedError' });
    expect(aws.sent.every((request) => request.method === 'GET')).toBe(true);
  });
});
