import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CodeDownloadError,
  CodeLocationRefused,
  codeDownloadUrl,
  downloadCodePackage,
  redactedLocation,
} from '../../src/lambda/code-package.js';

/*
 * Emulator gap: moto 5.2.5's GetFunction answers a `Code.Location` without any presigned query (no
 * signature, no session token, no version id), so the integration test cannot show what the service
 * does with a real one. These tests use the `Code.Location` of the GetFunction example in AWS's own
 * SDK documentation (botocore's lambda examples, "To get a Lambda function": function my-function,
 * version 1, us-west-2), recorded as published.
 */
const RECORDED_LOCATION =
  'https://awslambda-us-west-2-tasks.s3.us-west-2.amazonaws.com/snapshots/123456789012/my-function-e7d9d1ed-xmpl-4f79-904a-4b87f2681f30?versionId=sH3TQwBOaUy...';

describe('codeDownloadUrl and redactedLocation (on the recorded GetFunction response)', () => {
  it('fetches the presigned URL itself in AWS, query and all', () => {
    // Act
    const url = codeDownloadUrl(RECORDED_LOCATION);
    // Assess
    expect(url.href).toBe(RECORDED_LOCATION);
  });

  it('turns it into the same bucket and key, path-style, on an emulator endpoint', () => {
    // Act
    const url = codeDownloadUrl(RECORDED_LOCATION, 'http://127.0.0.1:4566');
    // Assess
    expect(url.href).toBe(
      'http://127.0.0.1:4566/awslambda-us-west-2-tasks/snapshots/123456789012/my-function-e7d9d1ed-xmpl-4f79-904a-4b87f2681f30?versionId=sH3TQwBOaUy...',
    );
  });

  it('refuses plain HTTP and hosts that are not AWS', () => {
    // Act, Assess
    expect(() => codeDownloadUrl(RECORDED_LOCATION.replace('https:', 'http:'))).toThrow(CodeLocationRefused);
    expect(() => codeDownloadUrl('https://attacker.example/snapshots/x.zip')).toThrow(CodeLocationRefused);
    expect(() => codeDownloadUrl('not a url')).toThrow(CodeLocationRefused);
    expect(() => codeDownloadUrl('https://example.com/x', 'http://127.0.0.1:4566')).toThrow(
      CodeLocationRefused,
    );
  });

  it('keeps no query in what is stored: the signature and session token are credentials', () => {
    // Act, Assess
    expect(redactedLocation(RECORDED_LOCATION)).toBe(
      'https://awslambda-us-west-2-tasks.s3.us-west-2.amazonaws.com/snapshots/123456789012/my-function-e7d9d1ed-xmpl-4f79-904a-4b87f2681f30',
    );
  });
});

describe('downloadCodePackage (against a local HTTP server)', () => {
  const body = randomBytes(4096);
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((request, response) => {
      if (request.url === '/ok') response.writeHead(200, { 'content-length': body.length }).end(body);
      else if (request.url === '/forbidden') response.writeHead(403).end('AccessDenied');
      else if (request.url === '/unavailable') response.writeHead(503).end('SlowDown');
      else if (request.url === '/redirect') response.writeHead(302, { location: '/ok' }).end();
      else response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });
  const signal = () => AbortSignal.timeout(5000);

  it('returns the bytes as served', async () => {
    // Act
    const bytes = await downloadCodePackage(new URL(`${base}/ok`), signal());
    // Assess
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(
      createHash('sha256').update(body).digest('hex'),
    );
  });

  it('treats 4xx and an oversized package as permanent, 5xx as worth a retry, and refuses redirects', async () => {
    // Act
    const outcomes = await Promise.all(
      [
        downloadCodePackage(new URL(`${base}/forbidden`), signal()),
        downloadCodePackage(new URL(`${base}/unavailable`), signal()),
        downloadCodePackage(new URL(`${base}/ok`), signal(), 1024),
        downloadCodePackage(new URL(`${base}/redirect`), signal()),
      ].map((download) =>
        download.then(
          () => 'resolved',
          (error: unknown) => error,
        ),
      ),
    );
    // Assess
    const [forbidden, unavailable, oversized, redirected] = outcomes;
    expect(forbidden).toBeInstanceOf(CodeDownloadError);
    expect((forbidden as CodeDownloadError).retryable).toBe(false);
    expect((unavailable as CodeDownloadError).retryable).toBe(true);
    expect((oversized as CodeDownloadError).retryable).toBe(false);
    expect(redirected).toBeInstanceOf(Error);
    expect(redirected).not.toBeInstanceOf(CodeDownloadError);
  });
});
