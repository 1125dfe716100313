import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

/** Where and as whom an AWS SDK v3 client talks. */
export interface AwsEndpointSettings {
  /** Region the client acts in (the resource's region, not necessarily ours). */
  readonly region: string;
  /** Emulator or VPC endpoint; unset in AWS. When set, S3 uses path-style addressing. */
  readonly endpoint?: string | undefined;
  /** Omit to use the SDK's default credential chain (never keys in code). */
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider | undefined;
  /** Total attempts including the first; the SDK's adaptive retry mode spaces them. */
  readonly maxAttempts?: number | undefined;
  /** Socket idle time after which a request is abandoned (and retried); see {@link AWS_REQUEST_TIMEOUTS}. */
  readonly requestTimeoutMs?: number | undefined;
}

/**
 * Time-outs of every SDK request. Why: the SDK's defaults have none, so a call to an endpoint that
 * accepted the connection and never answers (a stalled emulator, a half-open connection after a
 * network blip) would hold its handler until the handler time-out, while the heartbeat keeps the
 * message invisible and the step's own deadline passes. The idle time-out is longer than SQS's
 * 20 s long poll; it counts silence on the socket, so a long upload that keeps sending is not cut.
 */
export const AWS_REQUEST_TIMEOUTS = { connectionTimeoutMs: 5_000, requestTimeoutMs: 45_000 } as const;

/**
 * Configuration shared by every SDK client: adaptive retries (client-side rate limiting on throttles)
 * and request time-outs.
 */
export function baseClientConfig(settings: AwsEndpointSettings) {
  return {
    region: settings.region,
    retryMode: 'adaptive' as const,
    maxAttempts: settings.maxAttempts ?? 5,
    // `socketTimeout` is the idle time-out that rejects (with a TimeoutError the SDK retries); the
    // handler's `requestTimeout` only warns unless told to throw, and would cut long uploads.
    requestHandler: {
      connectionTimeout: AWS_REQUEST_TIMEOUTS.connectionTimeoutMs,
      socketTimeout: settings.requestTimeoutMs ?? AWS_REQUEST_TIMEOUTS.requestTimeoutMs,
    },
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    ...(settings.credentials ? { credentials: settings.credentials } : {}),
  };
}

/**
 * Configuration for S3 clients: path-style addressing whenever an endpoint is set, because emulators
 * (moto, LocalStack) cannot resolve virtual-hosted bucket names on 127.0.0.1.
 */
export function s3ClientConfig(settings: AwsEndpointSettings) {
  return { ...baseClientConfig(settings), forcePathStyle: Boolean(settings.endpoint) };
}
