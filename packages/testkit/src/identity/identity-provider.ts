import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, {
  type ClientMetadata,
  type Configuration,
  errors,
  type JWK,
  type KoaContextWithOIDC,
} from 'oidc-provider';
import { TestkitError } from '../errors.js';
import {
  type DemoOperator,
  type DemoOperatorName,
  DEMO_OPERATORS,
  demoOperatorBySubject,
} from './demo-operators.js';
import { deviceCodeToken } from './device-login.js';

/** The audience of the operator API's tokens unless a test names another. */
export const DEFAULT_OPERATOR_API_AUDIENCE = 'urn:ir:operator-api';
/** A second resource server the provider also issues tokens for: tokens the operator API must refuse. */
export const OTHER_API_AUDIENCE = 'urn:ir:some-other-api';

/** The client ids of the local identity provider. */
export const LOCAL_IDP_CLIENTS = {
  /** Public client of the device-code flow: what `irctl login` will be. */
  cli: 'irctl',
  /** Confidential client (client-credentials grant) with the responder group. */
  automation: 'ir-automation',
  /** Like `automation`, with the approver group and tokens that live one second. */
  shortLived: 'ir-automation-short-lived',
  /**
   * Public client of the web console: authorization code with PKCE (required, S256), refresh tokens;
   * present when `consoleRedirectUris` is given.
   */
  console: 'ir-console',
} as const;

/** Options of {@link startIdentityProvider}. */
export interface IdentityProviderOptions {
  /** The API audience (resource indicator) tokens are issued for by default. */
  readonly audience?: string;
  /** Access token lifetime in seconds (default 600). */
  readonly accessTokenTtlSeconds?: number;
  /** 0 (default): a free port. */
  readonly port?: number;
  /**
   * Where the console's sign-in may return (e.g. `http://127.0.0.1:9102/console/callback`): registers
   * the public `ir-console` client with these redirect URIs, and lets their origins call the token
   * endpoint from a browser (CORS). Empty (default): no console client.
   */
  readonly consoleRedirectUris?: readonly string[];
}

/** A running local identity provider (the real `oidc-provider`) on 127.0.0.1. */
export interface LocalIdentityProvider {
  /** `http://127.0.0.1:<port>`: the `iss` of its tokens and the base of discovery. */
  readonly issuer: string;
  /** The default audience of its access tokens. */
  readonly audience: string;
  /** The secret of each confidential client, generated at start. */
  readonly clientSecrets: Readonly<Record<'automation' | 'shortLived', string>>;
  /**
   * An access token (JWT) of a demo operator, obtained through the device-code flow: the device
   * authorization, the verification page, the sign-in, then the token endpoint, as irctl and a
   * browser would. `resource` asks for another audience.
   */
  operatorToken(operator: DemoOperatorName, options?: { readonly resource?: string }): Promise<string>;
  /** An access token (JWT) of a confidential client through the client-credentials grant. */
  clientToken(client: 'automation' | 'shortLived', options?: { readonly resource?: string }): Promise<string>;
  /**
   * Rotates the signing key: a new key signs from now on, and the old ones stay published (so tokens
   * already issued still verify). Returns the new key id.
   */
  rotateSigningKey(): Promise<string>;
  /** The key ids published in the JWKS, newest (the signing key) first. */
  readonly keyIds: readonly string[];
  stop(): Promise<void>;
}

/** A fresh RS256 signing key as a private JWK. Why generated: no key material in fixtures. */
function newSigningKey(): JWK {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...(privateKey.export({ format: 'jwk' }) as JWK), kid: randomUUID(), alg: 'RS256', use: 'sig' };
}

/** The origin of a URL, or undefined for text that is none. */
function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

const htmlEscape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * Starts `oidc-provider` on 127.0.0.1 with the demo operators, a device-code client, two
 * client-credentials clients, the console's public client (authorization code with PKCE, when
 * `consoleRedirectUris` are given), and JWT access tokens for the operator API's audience (and one other
 * audience, for refusal tests). Keys, client secrets and cookie keys are generated here. Sign-in is a
 * page listing the demo operators (no passwords: it is a local development provider).
 */
export async function startIdentityProvider(
  options: IdentityProviderOptions = {},
): Promise<LocalIdentityProvider> {
  const audience = options.audience ?? DEFAULT_OPERATOR_API_AUDIENCE;
  const ttl = options.accessTokenTtlSeconds ?? 600;
  const clientSecrets = {
    automation: randomBytes(24).toString('base64url'),
    shortLived: randomBytes(24).toString('base64url'),
  };
  const cookieKeys = [randomBytes(32).toString('base64url')];
  const keys: JWK[] = [newSigningKey()];
  const resources = new Set([audience, OTHER_API_AUDIENCE]);

  const server = createServer();
  server.listen(options.port ?? 0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}`;

  const tokenTtl = (
    _ctx: KoaContextWithOIDC,
    _token: unknown,
    client: { metadata(): Record<string, unknown> },
  ) => {
    const own = client.metadata().ir_token_ttl;
    return typeof own === 'number' ? own : ttl;
  };

  const consoleRedirectUris = [...(options.consoleRedirectUris ?? [])];
  const consoleClients: ClientMetadata[] =
    consoleRedirectUris.length === 0
      ? []
      : [
          {
            client_id: LOCAL_IDP_CLIENTS.console,
            client_name: 'incident-response console',
            application_type: 'web',
            token_endpoint_auth_method: 'none',
            grant_types: ['authorization_code', 'refresh_token'],
            response_types: ['code'],
            redirect_uris: consoleRedirectUris,
            // Signing out returns to the console's start page (the directory of its callback).
            post_logout_redirect_uris: [
              ...new Set(consoleRedirectUris.map((uri) => new URL('./', uri).href)),
            ],
          },
        ];

  const configuration = (): Configuration => ({
    clients: [
      ...consoleClients,
      {
        client_id: LOCAL_IDP_CLIENTS.cli,
        client_name: 'irctl',
        token_endpoint_auth_method: 'none',
        grant_types: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'],
        response_types: [],
        redirect_uris: [],
      },
      {
        client_id: LOCAL_IDP_CLIENTS.automation,
        client_secret: clientSecrets.automation,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        ir_groups: ['ir-responders'],
      },
      {
        client_id: LOCAL_IDP_CLIENTS.shortLived,
        client_secret: clientSecrets.shortLived,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        ir_groups: ['ir-approvers'],
        ir_token_ttl: 1,
      },
    ],
    extraClientMetadata: { properties: ['ir_groups', 'ir_token_ttl'] },
    jwks: { keys: [...keys] },
    cookies: { keys: cookieKeys },
    claims: { openid: ['sub'], profile: ['name'], email: ['email'], groups: ['groups'] },
    scopes: ['openid', 'offline_access', 'ir:operator'],
    async findAccount(_ctx, id) {
      const operator = demoOperatorBySubject(id);
      if (!operator) return undefined;
      return {
        accountId: id,
        claims: async () => ({
          sub: id,
          name: operator.name,
          email: operator.email,
          groups: [...operator.groups],
        }),
      };
    },
    // The claims the operator API reads travel in the access token itself (RFC 9068).
    async extraTokenClaims(ctx, token) {
      const accountId = 'accountId' in token ? token.accountId : undefined;
      if (typeof accountId === 'string') {
        const operator = demoOperatorBySubject(accountId);
        return operator
          ? { name: operator.name, email: operator.email, groups: [...operator.groups] }
          : undefined;
      }
      const client = await ctx.oidc.provider.Client.find(token.clientId ?? '');
      const groups = client?.metadata().ir_groups;
      return Array.isArray(groups) ? { groups } : undefined;
    },
    // A browser may call the token (and revocation) endpoint only from a public client's own
    // redirect origins: the console's. Said explicitly, as the provider asks of production set-ups.
    clientBasedCORS: (_ctx, origin, client) =>
      origin !== 'null' &&
      client.clientAuthMethod === 'none' &&
      (client.redirectUris ?? []).some((uri) => originOf(uri) === origin),
    // PKCE for every public client (the provider's default, stated): a code without its verifier is useless.
    pkce: { required: (_ctx, client) => client.clientAuthMethod === 'none' },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      // `irctl logout` revokes its refresh token (RFC 7009) where a provider offers it.
      // A client revokes only its own tokens.
      revocation: {
        enabled: true,
        allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId,
      },
      deviceFlow: {
        enabled: true,
        userCodeInputSource: async (ctx, form) => {
          ctx.body = `<!DOCTYPE html><html><body>${form}<button type="submit" form="op.deviceInputForm">Continue</button></body></html>`;
        },
        userCodeConfirmSource: async (ctx, form, _client, _deviceInfo, userCode) => {
          ctx.body = `<!DOCTYPE html><html><body><p>Sign in to irctl with code ${htmlEscape(userCode)}?</p>${form}<button type="submit" form="op.deviceConfirmForm">Continue</button></body></html>`;
        },
        successSource: async (ctx) => {
          ctx.body = '<!DOCTYPE html><html><body><p>Signed in: return to your terminal.</p></body></html>';
        },
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => audience,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resourceIndicator) => {
          if (!resources.has(resourceIndicator)) throw new errors.InvalidTarget();
          return {
            scope: 'ir:operator',
            audience: resourceIndicator,
            accessTokenTTL: ttl,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
    },
    ttl: {
      AccessToken: tokenTtl,
      ClientCredentials: tokenTtl,
      DeviceCode: 600,
      IdToken: 600,
      Grant: 3600,
      Interaction: 600,
      Session: 3600,
      RefreshToken: 3600,
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    renderError: async (ctx, out) => {
      ctx.type = 'json';
      ctx.body = out;
    },
  });

  let provider = new Provider(issuer, configuration());
  const interactions = signInPages(() => provider);
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    if (request.url?.startsWith('/interaction/')) {
      interactions(request, response).catch((error: unknown) => {
        response.statusCode = 500;
        response.end(error instanceof Error ? error.message : String(error));
      });
      return;
    }
    provider.callback()(request, response);
  });

  return {
    issuer,
    audience,
    clientSecrets,
    get keyIds() {
      return keys.map((key) => String(key.kid));
    },
    operatorToken: (operator, tokenOptions = {}) =>
      deviceCodeToken(issuer, LOCAL_IDP_CLIENTS.cli, DEMO_OPERATORS[operator], tokenOptions.resource),
    async clientToken(client, tokenOptions = {}) {
      const response = await fetch(`${issuer}/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${LOCAL_IDP_CLIENTS[client]}:${clientSecrets[client]}`).toString('base64')}`,
        },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          scope: 'ir:operator',
          resource: tokenOptions.resource ?? audience,
        }),
      });
      const body = (await response.json()) as { access_token?: string };
      if (!response.ok || !body.access_token) {
        throw new TestkitError(`client credentials token refused: ${JSON.stringify(body)}`);
      }
      return body.access_token;
    },
    async rotateSigningKey() {
      const key = newSigningKey();
      keys.unshift(key);
      // A new provider on the same server and issuer, signing with the new key first; the memory
      // adapter's store is shared, so sessions and grants survive.
      provider = new Provider(issuer, configuration());
      return String(key.kid);
    },
    async stop() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/** Reads an urlencoded request body. */
async function formBody(request: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/**
 * The sign-in pages of the provider's interactions: `GET /interaction/<uid>` lists the demo operators
 * as buttons; `POST /interaction/<uid>/login` with `login=<subject>` signs that operator in. Consent
 * is given at once (every client of this provider is first-party), as the provider's own example does.
 */
function signInPages(current: () => Provider) {
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const provider = current();
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const details = await provider.interactionDetails(request, response);
    if (details.prompt.name === 'consent') {
      // First-party clients only: what they asked for is granted without a consent page.
      const { missingOIDCScope, missingOIDCClaims, missingResourceScopes } = details.prompt.details as {
        missingOIDCScope?: string[];
        missingOIDCClaims?: string[];
        missingResourceScopes?: Record<string, string[]>;
      };
      const grant = details.grantId
        ? await provider.Grant.find(details.grantId)
        : new provider.Grant({
            accountId: details.session?.accountId,
            clientId: String(details.params.client_id),
          });
      if (!grant) throw new TestkitError(`grant ${details.grantId} vanished`);
      if (missingOIDCScope) grant.addOIDCScope(missingOIDCScope.join(' '));
      if (missingOIDCClaims) grant.addOIDCClaims(missingOIDCClaims);
      for (const [resource, scopes] of Object.entries(missingResourceScopes ?? {}))
        grant.addResourceScope(resource, scopes.join(' '));
      const grantId = await grant.save();
      await provider.interactionFinished(
        request,
        response,
        { consent: { grantId } },
        { mergeWithLastSubmission: true },
      );
      return;
    }
    if (request.method === 'POST' && url.pathname.endsWith('/login')) {
      const login = (await formBody(request)).get('login') ?? '';
      const operator: DemoOperator | undefined = demoOperatorBySubject(login);
      if (!operator) {
        response.statusCode = 400;
        response.end(`unknown operator ${login}`);
        return;
      }
      await provider.interactionFinished(
        request,
        response,
        { login: { accountId: operator.subject } },
        { mergeWithLastSubmission: false },
      );
      return;
    }
    const buttons = Object.values(DEMO_OPERATORS)
      .map(
        (operator) =>
          `<button name="login" value="${htmlEscape(operator.subject)}">${htmlEscape(operator.name)} (${htmlEscape(operator.groups.join(', '))})</button>`,
      )
      .join('<br>');
    response.setHeader('content-type', 'text/html; charset=utf-8');
    response.end(
      `<!DOCTYPE html><html><body><h1>Local identity provider</h1><p>Sign in as (${htmlEscape(details.prompt.name)}):</p><form method="post" action="/interaction/${htmlEscape(details.uid)}/login">${buttons}</form></body></html>`,
    );
  };
}
