import { z } from 'zod';
import { ConfigurationError } from './errors.js';

/** Environment variables as Node gives them. */
export type Env = Readonly<Record<string, string | undefined>>;

/** The coordinator API of `pnpm dev` (response-coordinator is the second service, port 9101 + 1). */
export const DEFAULT_API_URL = 'http://127.0.0.1:9102';

const optionalText = z.string().trim().min(1).optional();

/**
 * irctl's environment. Keys are the variable names so that every error names the variable as the
 * operator wrote it. Nothing is required here: each command asks for what it needs (a token through
 * auth/token-source.ts, {@link requireBucket}), so `irctl plan` works with no environment at all.
 */
export const IrctlEnv = z.object({
  IR_API_URL: z.url().default(DEFAULT_API_URL),
  /** Bearer token of the coordinator API; never printed, never logged. */
  IR_API_TOKEN: optionalText,
  AWS_REGION: z.string().trim().min(1).default('us-east-1'),
  AWS_ENDPOINT_URL: z.url().optional(),
  IR_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9_-]{1,40}$/, 'letters, digits, "-" and "_" only, at most 40 characters')
    .default('ir'),
  IR_EVIDENCE_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name')
    .optional(),
  /** The KMS key evidence manifests are signed with (id, ARN or alias); `irctl verify --signing-key` overrides it. */
  IR_EVIDENCE_SIGNING_KEY: optionalText,
  IR_PLAYBOOKS_DIR: optionalText,
  /**
   * The OIDC issuer `irctl login` signs in to (`--issuer` overrides it), and whose cached token API
   * commands use; unset, they use the token of the last login.
   */
  IR_OIDC_ISSUER: z.url().optional(),
  /** The client id irctl is registered with at the issuer (`--client-id`; `irctl` for the device flow unless set). */
  IR_OIDC_CLIENT_ID: optionalText,
  /** The operator API's audience, sent as the resource indicator (RFC 8707); `--audience` overrides it. */
  IR_OIDC_AUDIENCE: optionalText,
  /** Scopes to ask for (`--scope`); default `openid offline_access` for the device flow, none for client credentials. */
  IR_OIDC_SCOPE: optionalText,
  /** The confidential client's secret for `irctl login --client-credentials`; never printed, never cached. */
  IR_OIDC_CLIENT_SECRET: optionalText,
  /** The claim whoami shows as roles (the coordinator's IR_OIDC_ROLES_CLAIM; default `groups`). */
  IR_OIDC_ROLES_CLAIM: z.string().trim().min(1).default('groups'),
  /** Where the token cache lives: `$XDG_CONFIG_HOME/irctl/tokens.json`, else `$HOME/.config/irctl/tokens.json`. */
  XDG_CONFIG_HOME: optionalText,
  HOME: optionalText,
});

/** irctl's parsed configuration. */
export type IrctlConfig = z.infer<typeof IrctlEnv>;

/** Parses the environment (empty values count as unset); throws a {@link ConfigurationError} naming each offending variable. */
export function loadConfig(environment: Env): IrctlConfig {
  // An empty variable (`IR_API_TOKEN=`) means unset, as in a shell, not an invalid value.
  const set = Object.fromEntries(
    Object.entries(environment).filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = IrctlEnv.safeParse(set);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => ({
    variable: issue.path.map(String).join('.') || '(environment)',
    message: issue.message,
  }));
  throw new ConfigurationError(
    `invalid configuration: ${issues.map((issue) => `${issue.variable}: ${issue.message}`).join('; ')}`,
    issues.map((issue) => issue.variable),
  );
}

/** The evidence bucket, or an error naming IR_EVIDENCE_BUCKET (`irctl verify` needs it). */
export function requireBucket(config: IrctlConfig): string {
  if (config.IR_EVIDENCE_BUCKET) return config.IR_EVIDENCE_BUCKET;
  throw new ConfigurationError('IR_EVIDENCE_BUCKET is not set: verify reads the evidence bucket', [
    'IR_EVIDENCE_BUCKET',
  ]);
}

/**
 * The key manifest signatures are checked against: `--signing-key`, else IR_EVIDENCE_SIGNING_KEY, else
 * an error naming both. Why required: without it a forged, consistently chained manifest verifies.
 */
export function requireSigningKey(config: IrctlConfig, flag?: string): string {
  const key = flag?.trim() || config.IR_EVIDENCE_SIGNING_KEY;
  if (key) return key;
  throw new ConfigurationError(
    'IR_EVIDENCE_SIGNING_KEY is not set (nor --signing-key): verify checks every manifest against the key forensics signs with',
    ['IR_EVIDENCE_SIGNING_KEY'],
  );
}

/**
 * True when the API URL would send the token in clear text over a network: plain http to a host
 * that is not this machine. irctl warns rather than refuses (a port-forward may look like this).
 */
export function tokenSentInClear(apiUrl: string): boolean {
  const url = new URL(apiUrl);
  return url.protocol === 'http:' && !isLoopback(url);
}

/** True for a URL on this machine (localhost, 127.0.0.1, [::1]). */
export function isLoopback(url: URL): boolean {
  return ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
}
