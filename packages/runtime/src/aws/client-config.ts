import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
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
  /** Connection pools every client shares ({@link createAwsHttpAgents}); unset: each client makes its own. */
  readonly agents?: AwsHttpAgents | undefined;
  /**
   * Sent as `app/<id>` in every request's User-Agent (the SDK's `userAgentAppId`): the service's name,
   * so the bench's recording proxy (and CloudTrail's `userAgent` field) can tell which service called.
   */
  readonly appId?: string | undefined;
}

/**
 * Time-outs of every SDK request. Why: the SDK's defaults have none, so a call to an endpoint that
 * accepted the connection and never answers (a stalled emulator, a half-open connection after a
 * network blip) would hold its handler until the handler time-out, while the heartbeat keeps the
 * message invisible and the step's own deadline passes. The idle time-out is longer than SQS's
 * 20 s long poll; it counts silence on the socket, so a long upload that keeps sending is not cut.
 */
export const AWS_REQUEST_TIMEOUTS = { connectionTimeoutMs: 5_000, requestTimeoutMs: 45_000 } as const;

/** Sockets kept per endpoint host by a service's shared agents: the SDK's own default for one client. */
export const AWS_MAX_SOCKETS = 50;

/** The keep-alive HTTP and HTTPS agents of one service, shared by all its SDK clients. */
export interface AwsHttpAgents {
  readonly httpAgent: HttpAgent;
  readonly httpsAgent: HttpsAgent;
}

/*
 * `client.destroy()` destroys its handler's agents, sockets in use included; a shared agent must
 * survive one client's destroy (a service destroys its DynamoDB client on stop while SQS still
 * answers), so these ignore it. Idle keep-alive sockets are unref'd and never hold the process open.
 */
class SharedHttpAgent extends HttpAgent {
  override destroy(): void {}
}
class SharedHttpsAgent extends HttpsAgent {
  override destroy(): void {}
}

/**
 * One pair of keep-alive agents for a whole service. Why: given only options, every SDK client builds
 * its own agents and so its own pool of sockets (and TLS sessions) to the same endpoints; a service
 * holding a dozen clients, or one per incident in a member account, pays for each. Shared, every
 * client reuses the same warm connections, bounded by {@link AWS_MAX_SOCKETS} per host.
 */
export function createAwsHttpAgents(): AwsHttpAgents {
  const options = { keepAlive: true, maxSockets: AWS_MAX_SOCKETS };
  return { httpAgent: new SharedHttpAgent(options), httpsAgent: new SharedHttpsAgent(options) };
}

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
      ...(settings.agents
        ? { httpAgent: settings.agents.httpAgent, httpsAgent: settings.agents.httpsAgent }
        : {}),
    },
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    ...(settings.credentials ? { credentials: settings.credentials } : {}),
    ...(settings.appId ? { userAgentAppId: settings.appId } : {}),
  };
}

/**
 * Configuration for S3 clients: path-style addressing whenever an endpoint is set, because emulators
 * (moto, LocalStack) cannot resolve virtual-hosted bucket names on 127.0.0.1.
 */
export function s3ClientConfig(settings: AwsEndpointSettings) {
  return { ...baseClientConfig(settings), forcePathStyle: Boolean(settings.endpoint) };
}
