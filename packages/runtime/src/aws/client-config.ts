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
}

/** Configuration shared by every SDK client: adaptive retries (client-side rate limiting on throttles). */
export function baseClientConfig(settings: AwsEndpointSettings) {
  return {
    region: settings.region,
    retryMode: 'adaptive' as const,
    maxAttempts: settings.maxAttempts ?? 5,
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
