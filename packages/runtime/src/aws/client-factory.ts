import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { Tracer } from '@opentelemetry/api';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { Counter } from 'prom-client';
import { partitionOf } from '@ir/contracts';
import { NonRetryableError } from '../errors.js';
import { addCallSpan } from '../tracing/aws-span.js';
import { type AwsCallLog, type AwsCallTarget, addCallRecorder } from './call-log.js';
import {
  type AwsEndpointSettings,
  baseClientConfig,
  createAwsHttpAgents,
  s3ClientConfig,
} from './client-config.js';
import { addCallCounter, type MiddlewareHost } from './metrics-middleware.js';

/** Where a client acts: the account and region where the resource lives. */
export interface AwsTarget {
  /** 12-digit account id; omitted or our own account → our own credentials. */
  readonly accountId?: string | undefined;
  /** Region of the resource; omitted → the service's region. */
  readonly region?: string | undefined;
  /** Carried in the assumed-role session name, so the member account's CloudTrail shows the incident. */
  readonly incidentId?: string | undefined;
}

/** Constructor of any SDK v3 client. */
export type AwsClientClass<C> = new (config: ReturnType<typeof s3ClientConfig>) => C;

/** Settings of {@link createAwsClientFactory}. */
export interface AwsClientFactorySettings extends AwsEndpointSettings {
  /** Used in session names when no incident is given, e.g. `isolator`. */
  readonly serviceName: string;
  /** Role assumed in member accounts (`IR_MEMBER_ROLE_NAME`); without it, other accounts are refused. */
  readonly memberRoleName?: string | undefined;
  readonly externalId?: string | undefined;
  /** Our own account; looked up once with STS GetCallerIdentity when not given. */
  readonly homeAccountId?: string | undefined;
  readonly callCounter?: Counter<'service' | 'operation' | 'outcome'> | undefined;
  /**
   * Records every call (`IR_AWS_CALL_LOG`, for the IAM proof). Unset: no recorder middleware is
   * added to any client, so the default path costs nothing.
   */
  readonly callLog?: AwsCallLog | undefined;
  /** Wraps every call in a span (`IR_OTLP_ENDPOINT`). Unset: no span middleware is added. */
  readonly tracer?: Tracer | undefined;
  /** Refresh assumed credentials this long before they expire. */
  readonly refreshMarginMs?: number;
  readonly sessionDurationSeconds?: number;
  readonly now?: () => number;
  /** Bound on cached clients (one per class, account, region and incident). */
  readonly maxCachedClients?: number;
  /**
   * Called before any client for another account is handed out; throws to refuse (e.g. an
   * an `AccountPolicy`'s `assertAllowed`). Why here: it is the one door to member accounts, so no
   * handler can act in an account that is not allowed, even one that forgot to check.
   */
  readonly assertAccountAllowed?: (accountId: string) => Promise<void>;
}

/** Obtains SDK clients for the account and region where a resource lives. */
export interface AwsClientFactory {
  client<C extends MiddlewareHost>(clientClass: AwsClientClass<C>, target?: AwsTarget): Promise<C>;
  /** Our own account id (the security account the system runs in). */
  homeAccountId(): Promise<string>;
  /** The ARN of the role assumed in `accountId`. */
  memberRoleArn(accountId: string): string;
}

// `cn-north-1` → `aws-cn`; GovCloud → `aws-us-gov`: defined in the contracts, whose finding formats need it too.
export { partitionOf };

/** A role session name that names the incident, within STS's 64-character, `[\w+=,.@-]` limits. */
export function roleSessionName(incidentId: string | undefined, serviceName: string): string {
  const raw = incidentId ? `ir-${incidentId}` : `ir-${serviceName}`;
  return raw.replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
}

/**
 * One factory per service. Clients for our own account use the default credential chain; clients for
 * any other account use the member role, assumed with the incident id in the session name. Assumed
 * credentials are cached per account and incident and refreshed before they expire. Every client
 * counts its calls in `ir_aws_calls_total`.
 */
export function createAwsClientFactory(settings: AwsClientFactorySettings): AwsClientFactory {
  const now = settings.now ?? Date.now;
  const refreshMarginMs = settings.refreshMarginMs ?? 5 * 60_000;
  const maxCached = settings.maxCachedClients ?? 200;
  const clients = new Map<string, MiddlewareHost>();
  const credentialCache = new Map<string, Promise<AwsCredentialIdentity>>();
  let home: Promise<string> | undefined = settings.homeAccountId
    ? Promise.resolve(settings.homeAccountId)
    : undefined;

  // One connection pool for every client this factory makes, STS included (see createAwsHttpAgents).
  const agents = settings.agents ?? createAwsHttpAgents();
  const configFor = (region: string, credentials: AwsEndpointSettings['credentials']) =>
    s3ClientConfig({ ...settings, agents, region, credentials, appId: settings.serviceName });

  // One STS client per region, made on first use: AssumeRole runs for every incident in a member
  // account and on every credential refresh, and must not build a client each time.
  const stsClients = new Map<string, STSClient>();
  const stsFor = (region: string) => {
    const cached = stsClients.get(region);
    if (cached) return cached;
    const sts = new STSClient(baseClientConfig({ ...settings, agents, region, appId: settings.serviceName }));
    if (settings.callCounter) addCallCounter(sts, settings.callCounter);
    if (settings.tracer) addCallSpan(sts, settings.tracer, region);
    // STS always signs with our own credentials (GetCallerIdentity, AssumeRole into members).
    if (settings.callLog)
      addCallRecorder(sts, settings.callLog, settings.serviceName, {
        account: homeAccountId,
        region,
        principal: 'task',
      });
    stsClients.set(region, sts);
    return sts;
  };

  const homeAccountId = (): Promise<string> => {
    home ??= stsFor(settings.region)
      .send(new GetCallerIdentityCommand({}))
      .then((identity) => {
        if (!identity.Account) throw new Error('STS GetCallerIdentity returned no account');
        return identity.Account;
      })
      .catch((error: unknown) => {
        home = undefined;
        throw error;
      });
    return home;
  };

  const memberRoleArn = (accountId: string): string => {
    if (!settings.memberRoleName) {
      throw new NonRetryableError(
        `Account ${accountId} is not ours and IR_MEMBER_ROLE_NAME is not set, so no role can be assumed there`,
        { reason: 'no-member-role', context: { accountId } },
      );
    }
    return `arn:${partitionOf(settings.region)}:iam::${accountId}:role/${settings.memberRoleName}`;
  };

  const assume = async (accountId: string, region: string, incidentId: string | undefined) => {
    const output = await stsFor(region).send(
      new AssumeRoleCommand({
        RoleArn: memberRoleArn(accountId),
        RoleSessionName: roleSessionName(incidentId, settings.serviceName),
        DurationSeconds: settings.sessionDurationSeconds ?? 3600,
        ...(settings.externalId ? { ExternalId: settings.externalId } : {}),
      }),
    );
    const credentials = output.Credentials;
    if (!credentials?.AccessKeyId || !credentials.SecretAccessKey) {
      throw new Error(`STS AssumeRole into ${accountId} returned no credentials`);
    }
    return {
      accessKeyId: credentials.AccessKeyId,
      secretAccessKey: credentials.SecretAccessKey,
      sessionToken: credentials.SessionToken,
      expiration: credentials.Expiration,
    } satisfies AwsCredentialIdentity;
  };

  const memberCredentials = (accountId: string, region: string, incidentId: string | undefined) => {
    const key = `${accountId}|${incidentId ?? ''}`;
    const provider: AwsCredentialIdentityProvider = async () => {
      const cached = credentialCache.get(key);
      if (cached) {
        const value = await cached.catch(() => undefined);
        if (value && (!value.expiration || value.expiration.getTime() - refreshMarginMs > now()))
          return value;
      }
      const fresh = assume(accountId, region, incidentId);
      credentialCache.set(key, fresh);
      fresh.catch(() => credentialCache.delete(key));
      return fresh;
    };
    return provider;
  };

  return {
    homeAccountId,
    memberRoleArn,
    async client<C extends MiddlewareHost>(
      clientClass: AwsClientClass<C>,
      target: AwsTarget = {},
    ): Promise<C> {
      const region = target.region ?? settings.region;
      const own = !target.accountId || target.accountId === (await homeAccountId());
      if (!own && settings.assertAccountAllowed)
        await settings.assertAccountAllowed(target.accountId as string);
      const key = [
        clientClass.name,
        own ? 'home' : target.accountId,
        region,
        own ? '' : (target.incidentId ?? ''),
      ].join('|');
      const existing = clients.get(key);
      if (existing) return existing as C;
      const credentials = own
        ? settings.credentials
        : memberCredentials(target.accountId as string, region, target.incidentId);
      const client = new clientClass(configFor(region, credentials));
      if (settings.callCounter) addCallCounter(client, settings.callCounter);
      if (settings.tracer) addCallSpan(client, settings.tracer, region);
      if (settings.callLog) {
        const callTarget: AwsCallTarget = own
          ? { account: homeAccountId, region, principal: 'task' }
          : {
              account: async () => target.accountId as string,
              region,
              principal: 'member',
              roleArn: memberRoleArn(target.accountId as string),
            };
        addCallRecorder(client, settings.callLog, settings.serviceName, callTarget);
      }
      if (clients.size >= maxCached) {
        const oldest = clients.keys().next().value;
        if (oldest !== undefined) clients.delete(oldest);
      }
      clients.set(key, client);
      return client;
    },
  };
}
