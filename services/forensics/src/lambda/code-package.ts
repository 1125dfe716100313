/**
 * Downloading a Lambda function's deployment package from the presigned URL `GetFunction` returns
 * (`Code.Location`, valid for ten minutes). The bytes are hashed by this service, never taken on
 * Lambda's word (TRAPS 12); Lambda's own `CodeSha256` is only compared with them.
 */

/** Lambda's largest deployment package (250 MB unzipped, so never more zipped): a bound on memory. */
export const MAX_CODE_PACKAGE_BYTES = 262_144_000;

/** Why a download URL was not used: it is reported as an evidence gap, never fetched. */
export class CodeLocationRefused extends Error {
  override readonly name = 'CodeLocationRefused';
}

/**
 * A download that did not bring the package. `retryable` for network trouble and 5xx (the step goes
 * back through the queue with a fresh URL); a 4xx (expired, forbidden, gone) or an oversized body is
 * permanent and recorded as an evidence gap.
 */
export class CodeDownloadError extends Error {
  override readonly name = 'CodeDownloadError';
  readonly retryable: boolean;
  constructor(message: string, retryable: boolean) {
    super(message);
    this.retryable = retryable;
  }
}

/**
 * Where to fetch the package from. In AWS: the presigned S3 URL itself, and only over HTTPS to an
 * `amazonaws.com` host (the URL comes from AWS, but a service that fetches whatever URL it is handed
 * is an SSRF waiting to happen). With an emulator endpoint (`AWS_ENDPOINT_URL`, local runs and tests),
 * the virtual-hosted S3 URL is turned into the same bucket and key, path-style, on that endpoint, so a
 * test never leaves 127.0.0.1.
 */
export function codeDownloadUrl(location: string, endpoint?: string): URL {
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    throw new CodeLocationRefused('Code.Location is not a URL');
  }
  const s3Host = /^(?<bucket>[a-z0-9][a-z0-9.-]*)\.s3[.-](?:[a-z0-9-]+\.)?amazonaws\.com(?:\.cn)?$/.exec(
    url.hostname,
  );
  if (endpoint !== undefined) {
    const bucket = s3Host?.groups?.bucket;
    if (!bucket) throw new CodeLocationRefused(`Code.Location host ${url.hostname} is not an S3 bucket host`);
    const local = new URL(endpoint);
    local.pathname = `/${bucket}${url.pathname}`;
    local.search = url.search;
    return local;
  }
  if (url.protocol !== 'https:') throw new CodeLocationRefused('Code.Location is not an HTTPS URL');
  if (!/\.amazonaws\.com(\.cn)?$/.test(url.hostname)) {
    throw new CodeLocationRefused(`Code.Location host ${url.hostname} is not an AWS host`);
  }
  return url;
}

/** The location without its query: the presigned URL's signature and session token are credentials. */
export function redactedLocation(location: string): string {
  try {
    const url = new URL(location);
    return `${url.origin}${url.pathname}`;
  } catch {
    return '(not a URL)';
  }
}

/**
 * The package's bytes. Redirects are refused (S3 answers a presigned GET directly), so is a body
 * larger than {@link MAX_CODE_PACKAGE_BYTES}; `signal` aborts the transfer with the step.
 */
export async function downloadCodePackage(
  url: URL,
  signal: AbortSignal,
  maxBytes: number = MAX_CODE_PACKAGE_BYTES,
): Promise<Uint8Array> {
  const response = await fetch(url, { redirect: 'error', signal });
  if (!response.ok || !response.body) {
    const { status } = response;
    const transient = status >= 500 || status === 408 || status === 429;
    throw new CodeDownloadError(`code package download answered HTTP ${status}`, transient);
  }
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) {
    await response.body.cancel();
    throw new CodeDownloadError(
      `code package is ${declared} bytes, more than the ${maxBytes} accepted`,
      false,
    );
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.byteLength;
    if (size > maxBytes) throw new CodeDownloadError(`code package exceeds ${maxBytes} bytes`, false);
    chunks.push(chunk);
  }
  if (Number.isFinite(declared) && declared !== size) {
    throw new CodeDownloadError(`code package download ended after ${size} of ${declared} bytes`, true);
  }
  return Buffer.concat(chunks);
}
