import { ConfigError, type Env, env, loadConfig as loadWorkerConfig, WorkerEnv } from '@ir/runtime';
import { OperatorRole, ProtectedTagSetting, parseProtectedTag, SeverityBand } from '@ir/contracts';
import { z } from 'zod';
import { checkSlackConfig, SlackEnv } from './slack/config.js';
import { checkJiraConfig, JiraEnv } from './jira/config.js';
import { DecisionKeyring, decodeKey, MIN_DECISION_KEY_BYTES } from './decision-signing.js';

const DURATION = /^(\d+)(s|m|h|d)?$/;
const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;

/** Seconds in a duration written `900`, `90s`, `15m`, `1h` or `1d` (a bare number is seconds). */
export function durationSeconds(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (!match) return undefined;
  const unit = (match[2] ?? 's') as keyof typeof UNIT_SECONDS;
  const seconds = Number(match[1]) * UNIT_SECONDS[unit];
  return seconds > 0 ? seconds : undefined;
}

/** The JWS algorithms the operator API may accept: asymmetric only. */
export const ASYMMETRIC_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
] as const;

/** How the operator API authenticates, as `loadConfig` resolved it. */
export type AuthConfig =
  /** The token itself stays in `IR_API_TOKEN`, which the config log redacts (nested values it would not). */
  | { readonly mode: 'static-token' }
  | {
      readonly mode: 'oidc';
      readonly issuer: string;
      readonly audience: string;
      readonly rolesClaim: string;
      readonly roleMap: Readonly<Record<string, OperatorRole>>;
      readonly clockToleranceSeconds: number;
      readonly algorithms: readonly string[];
      readonly jwksCooldownSeconds: number;
      readonly jwksCacheSeconds: number;
    };

/** The coordinator's environment: the shared worker settings plus its own. */
export const CoordinatorEnv = WorkerEnv.extend({
  /** Slack approvals (`IR_SLACK_SIGNING_SECRET`, `IR_SLACK_USER_MAP`, ...): see slack/config.ts. */
  ...SlackEnv,
  /** The Jira webhook (`IR_JIRA_WEBHOOK_SECRET`, `IR_JIRA_BASE_URL`, ...): see jira/config.ts. */
  ...JiraEnv,
  /** The incident table; `${IR_PREFIX}-incidents` when unset. */
  IR_TABLE: z.string().min(3).max(255).optional(),
  /**
   * Where the service runs. `production` (the default, so that forgetting it fails closed) refuses
   * the static-token auth mode.
   */
  IR_ENV: z.enum(['production', 'staging', 'development', 'test']).default('production'),
  /**
   * How the operator API authenticates: `oidc` (bearer JWTs from `IR_OIDC_ISSUER`; the default when
   * it is set) or `static-token` (`IR_API_TOKEN`, local development only, never with
   * `IR_ENV=production`). Unset and no issuer: the service refuses to start.
   */
  IR_AUTH_MODE: z.enum(['oidc', 'static-token']).optional(),
  /** The static bearer token of `IR_AUTH_MODE=static-token`; its actor is the fixed `local-dev-token` identity. */
  IR_API_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** The OIDC issuer (exactly as in the tokens' `iss`); its keys are found through discovery. */
  IR_OIDC_ISSUER: z.url().optional(),
  /** The audience the operator API's access tokens must carry (`aud`); required in `oidc` mode. */
  IR_OIDC_AUDIENCE: z.string().min(1).optional(),
  /** The claim whose values (an array or one string) name the operator's groups; a dotted path reads nested claims. */
  IR_OIDC_ROLES_CLAIM: z.string().min(1).default('groups'),
  /**
   * JSON object from a group (a value of the roles claim) to a role (viewer, responder, approver,
   * admin). An operator holds the highest role any of their groups maps to; unmapped groups give none.
   */
  IR_OIDC_ROLE_MAP: z
    .string()
    .default(
      '{"ir-viewers":"viewer","ir-responders":"responder","ir-approvers":"approver","ir-admins":"admin"}',
    )
    .transform((text, context) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        context.addIssue({ code: 'custom', message: 'must be a JSON object from group name to role' });
        return z.NEVER;
      }
    })
    .pipe(z.record(z.string().min(1), OperatorRole)),
  /** Seconds of clock difference allowed when checking a token's `exp`, `nbf` and `iat`. */
  IR_OIDC_CLOCK_TOLERANCE_SECONDS: z.coerce.number().int().min(0).max(300).default(60),
  /**
   * Comma-separated JWS algorithms accepted; asymmetric ones only (`none` and HMAC are refused: an
   * HMAC key would have to be shared with the API, and `none` proves nothing).
   */
  IR_OIDC_ALGORITHMS: z
    .string()
    .default('RS256,PS256,ES256')
    .transform((value) =>
      value
        .split(',')
        .map((alg) => alg.trim())
        .filter((alg) => alg !== ''),
    )
    .pipe(z.array(z.enum(ASYMMETRIC_ALGORITHMS)).min(1)),
  /**
   * After a fetch of the issuer's keys, seconds before a token with an unknown `kid` may cause
   * another fetch (key rotation is picked up on the first such token after this).
   */
  IR_OIDC_JWKS_COOLDOWN_SECONDS: z.coerce.number().int().min(0).max(3600).default(30),
  /** Seconds the issuer's keys are used before they are fetched again. */
  IR_OIDC_JWKS_CACHE_SECONDS: z.coerce.number().int().min(1).max(86_400).default(600),
  /**
   * The built web console (`vite build` of packages/console: `index.html` and `assets/`), served under
   * `/console/`. Unset: the workspace's `packages/console/dist` when it has been built, else no console.
   * The console signs in with OIDC, so it is off in the static-token mode whatever this says.
   */
  IR_CONSOLE_DIR: z.string().min(1).optional(),
  /** The console's client id at the issuer: a public client (authorization code with PKCE, no secret). */
  IR_CONSOLE_CLIENT_ID: z.string().min(1).default('ir-console'),
  /**
   * Comma-separated origins, besides the issuer's, that the console's Content-Security-Policy lets it
   * call and post forms to: for an IdP whose endpoints are not on the issuer's origin (Amazon Cognito's
   * token endpoint is on the user pool domain).
   */
  IR_CONSOLE_IDP_ORIGINS: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((origin) => origin.trim())
        .filter((origin) => origin !== ''),
    )
    .pipe(z.array(z.url({ protocol: /^https?$/ }).transform((url) => new URL(url).origin))),
  /**
   * `key=value`: resources carrying this tag (key and value compared without regard to case) are never
   * contained without two approvers; read from the finding here and live from AWS by the isolator.
   */
  IR_PROTECTED_TAG: ProtectedTagSetting,
  /**
   * Automatic containments allowed in any window of IR_BLAST_WINDOW (sliding); 0 sends every
   * containment to approval. At most 1000: each is one attribute of the blast-radius slot item.
   */
  IR_MAX_AUTO_CONTAINMENTS: z.coerce.number().int().min(0).max(1000).default(5),
  /** The blast-radius window (sliding): seconds, or a number with s, m, h or d. */
  IR_BLAST_WINDOW: z
    .string()
    .default('1h')
    .refine((value) => durationSeconds(value) !== undefined, 'must be a duration such as 900, 15m or 1h'),
  /** How long an approval may wait before people are reminded (and on-call paged) again. */
  IR_APPROVAL_TIMEOUT_SECONDS: env.positiveInt(900),
  /** How often timed-out steps and overdue approvals are looked for. */
  IR_SWEEP_INTERVAL_SECONDS: env.positiveInt(30),
  /**
   * Incidents this replica remembers as its own last commit left them, so the next message of one is
   * decided without reading it first; 0 reads every time. A stale entry costs one failed conditional
   * write, so with several replicas sharing the queue, fewer hits and more of those. Only incidents
   * in flight gain, and an incident a storm attached hundreds of findings to is held with all of them.
   */
  IR_DECISION_CACHE_SIZE: z.coerce.number().int().min(0).max(100_000).default(200),
  /** Time-out of the notifications the coordinator raises on its own. */
  IR_NOTIFY_TIMEOUT_SECONDS: env.positiveInt(300),
  /** A directory of user playbooks that add to or replace the shipped ones by id. */
  IR_PLAYBOOKS_DIR: z.string().min(1).optional(),
  /**
   * Comma-separated severity bands (e.g. `CRITICAL`) whose clean-room investigation runs without
   * waiting for approval; empty (the default) keeps every clean room approval-gated.
   */
  IR_AUTO_APPROVE_CLEAN_ROOM: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((band) => band.trim())
        .filter((band) => band !== ''),
    )
    .pipe(z.array(SeverityBand)),
  /**
   * `on`: mark each incident's findings at their source, from this (the Security Hub and GuardDuty
   * administrator) account: Security Hub workflow NOTIFIED when the incident opens, RESOLVED or
   * SUPPRESSED when it is resolved (`notify.finding-workflow` steps). `off` (the default): nothing is
   * written to the findings. A failed sync is reported and never holds up the response.
   */
  IR_FINDING_SYNC: z.enum(['off', 'on']).default('off'),
  /**
   * With `IR_FINDING_SYNC=on`: also archive the GuardDuty findings of an incident resolved as a false
   * positive (`guardduty:ArchiveFindings`). Off by default: archiving hides a finding from GuardDuty's
   * default view, a choice for the team that owns GuardDuty.
   */
  IR_GUARDDUTY_ARCHIVE_FALSE_POSITIVES: env.booleanFlag(false),
  /**
   * The console's public origin (e.g. `https://ir.example.com`): the note put on a finding links the
   * incident's page there (`/console/incidents/<id>`). Unset: the note names the incident id only.
   */
  IR_CONSOLE_PUBLIC_URL: z
    .url({ protocol: /^https$/ })
    .transform((url) => new URL(url).origin)
    .optional(),
  /**
   * The evidence bucket, read-only: when set, `GET /incidents/:id/report` runs the evidence verifier
   * on it; when unset the report says "verification not configured".
   */
  IR_EVIDENCE_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name')
    .optional(),
  /**
   * The KMS key (id, ARN or alias) forensics signs manifests with; the verifier checks every
   * manifest's signature against it (`kms:Verify`). Required with `IR_EVIDENCE_BUCKET`.
   */
  IR_EVIDENCE_SIGNING_KEY: z.string().min(1).optional(),
  /**
   * The key the operator API signs decisions with and the queue handler verifies them with
   * (HMAC-SHA256): at least 32 bytes, written as hex or base64. Required with `IR_ENV=production`
   * (ECS injects it from a Secrets Manager secret). Every replica needs the same key. Unset outside
   * production, each process makes its own, so decisions published by another replica are refused.
   */
  IR_DECISION_SIGNING_KEY: z.string().min(1).max(1024).optional(),
  /**
   * During a rotation, the key that was `IR_DECISION_SIGNING_KEY` before: decisions signed with it are
   * still accepted (nothing is signed with it). Remove it once the queue holds none of its decisions.
   */
  IR_DECISION_SIGNING_KEY_PREVIOUS: z.string().min(1).max(1024).optional(),
});

/** The decision keys' variables: read into `decisionSigning`, and not kept as text in the config. */
type DecisionKeyVariables = 'IR_DECISION_SIGNING_KEY' | 'IR_DECISION_SIGNING_KEY_PREVIOUS';

/** The parsed configuration, with derived values. */
export type CoordinatorConfig = Omit<z.infer<typeof CoordinatorEnv>, DecisionKeyVariables> & {
  readonly tableName: string;
  readonly blastWindowSeconds: number;
  readonly protectedTag: { readonly key: string; readonly value: string };
  readonly auth: AuthConfig;
  /**
   * The decision keys. Why not the variables' text: the config is logged at start, redacted by
   * variable name, and `…_KEY_PREVIOUS` does not look like a secret's name; the keyring shows only ids.
   */
  readonly decisionSigning: DecisionKeyring;
};

/** Parses and checks the environment; every error names the variable. Called once, in main.ts. */
export function loadConfig(environment: Env = process.env): CoordinatorConfig {
  const config = loadWorkerConfig(CoordinatorEnv, environment);
  const blastWindowSeconds = durationSeconds(config.IR_BLAST_WINDOW) ?? 3600;
  if (config.IR_SWEEP_INTERVAL_SECONDS > config.IR_APPROVAL_TIMEOUT_SECONDS) {
    throw new ConfigError(
      `Invalid configuration: IR_SWEEP_INTERVAL_SECONDS (${config.IR_SWEEP_INTERVAL_SECONDS}) must not exceed IR_APPROVAL_TIMEOUT_SECONDS (${config.IR_APPROVAL_TIMEOUT_SECONDS}), or overdue approvals are escalated late`,
      ['IR_SWEEP_INTERVAL_SECONDS', 'IR_APPROVAL_TIMEOUT_SECONDS'],
    );
  }
  if (config.IR_EVIDENCE_BUCKET && !config.IR_EVIDENCE_SIGNING_KEY) {
    throw new ConfigError(
      'Invalid configuration: IR_EVIDENCE_BUCKET needs IR_EVIDENCE_SIGNING_KEY: without the key manifests are signed with, the verifier cannot tell a forged manifest from a sealed one (TRAPS 25)',
      ['IR_EVIDENCE_BUCKET', 'IR_EVIDENCE_SIGNING_KEY'],
    );
  }
  if (config.IR_GUARDDUTY_ARCHIVE_FALSE_POSITIVES && config.IR_FINDING_SYNC === 'off') {
    throw new ConfigError(
      'Invalid configuration: IR_GUARDDUTY_ARCHIVE_FALSE_POSITIVES=true needs IR_FINDING_SYNC=on: findings are archived by the finding sync step on resolve, which is off',
      ['IR_GUARDDUTY_ARCHIVE_FALSE_POSITIVES', 'IR_FINDING_SYNC'],
    );
  }
  checkSlackConfig(config);
  checkJiraConfig(config);
  const { IR_DECISION_SIGNING_KEY: _key, IR_DECISION_SIGNING_KEY_PREVIOUS: _previous, ...rest } = config;
  return {
    ...rest,
    auth: authConfig(config),
    decisionSigning: decisionKeyring(config),
    tableName: config.IR_TABLE ?? `${config.IR_PREFIX}-incidents`,
    blastWindowSeconds,
    protectedTag: parseProtectedTag(config.IR_PROTECTED_TAG),
  };
}

/**
 * Resolves the auth mode and checks its combinations. Why so strict: the static token names no
 * person, so it must never be what guards a production API, and an API with no auth is never served.
 */
function authConfig(config: z.infer<typeof CoordinatorEnv>): AuthConfig {
  const mode = config.IR_AUTH_MODE ?? (config.IR_OIDC_ISSUER ? 'oidc' : undefined);
  if (mode === undefined) {
    throw new ConfigError(
      'Invalid configuration: the operator API needs authentication: set IR_OIDC_ISSUER and IR_OIDC_AUDIENCE (OIDC), or, for local development only, IR_AUTH_MODE=static-token with IR_API_TOKEN',
      ['IR_OIDC_ISSUER', 'IR_AUTH_MODE'],
    );
  }
  if (mode === 'static-token') {
    if (config.IR_ENV === 'production') {
      throw new ConfigError(
        'Invalid configuration: IR_AUTH_MODE=static-token is for local development and is refused with IR_ENV=production (its actor is no person); configure IR_OIDC_ISSUER and IR_OIDC_AUDIENCE, or set IR_ENV=development on a developer machine',
        ['IR_AUTH_MODE', 'IR_ENV'],
      );
    }
    if (!config.IR_API_TOKEN) {
      throw new ConfigError('Invalid configuration: IR_AUTH_MODE=static-token needs IR_API_TOKEN', [
        'IR_API_TOKEN',
      ]);
    }
    return { mode };
  }
  if (!config.IR_OIDC_ISSUER || !config.IR_OIDC_AUDIENCE) {
    throw new ConfigError(
      'Invalid configuration: IR_AUTH_MODE=oidc needs IR_OIDC_ISSUER and IR_OIDC_AUDIENCE (the audience the access tokens are issued for)',
      ['IR_OIDC_ISSUER', 'IR_OIDC_AUDIENCE'],
    );
  }
  if (config.IR_API_TOKEN) {
    throw new ConfigError(
      'Invalid configuration: IR_API_TOKEN is set but IR_AUTH_MODE is oidc: the static token would be ignored; remove it (or set IR_AUTH_MODE=static-token for local development)',
      ['IR_API_TOKEN', 'IR_AUTH_MODE'],
    );
  }
  return {
    mode,
    issuer: config.IR_OIDC_ISSUER,
    audience: config.IR_OIDC_AUDIENCE,
    rolesClaim: config.IR_OIDC_ROLES_CLAIM,
    roleMap: config.IR_OIDC_ROLE_MAP,
    clockToleranceSeconds: config.IR_OIDC_CLOCK_TOLERANCE_SECONDS,
    algorithms: config.IR_OIDC_ALGORITHMS,
    jwksCooldownSeconds: config.IR_OIDC_JWKS_COOLDOWN_SECONDS,
    jwksCacheSeconds: config.IR_OIDC_JWKS_CACHE_SECONDS,
  };
}

/**
 * Decodes and checks the decision keys. Why required in production: without a shared key each replica
 * would refuse the others' decisions, and without any key a forged approval could not be told apart.
 */
function decisionKeyring(config: z.infer<typeof CoordinatorEnv>): DecisionKeyring {
  const current = decisionKey(config.IR_DECISION_SIGNING_KEY, 'IR_DECISION_SIGNING_KEY');
  const previous = decisionKey(config.IR_DECISION_SIGNING_KEY_PREVIOUS, 'IR_DECISION_SIGNING_KEY_PREVIOUS');
  if (current) return DecisionKeyring.of(current, previous);
  if (previous) {
    throw new ConfigError(
      'Invalid configuration: IR_DECISION_SIGNING_KEY_PREVIOUS needs IR_DECISION_SIGNING_KEY (the previous key only verifies; the current one signs)',
      ['IR_DECISION_SIGNING_KEY_PREVIOUS', 'IR_DECISION_SIGNING_KEY'],
    );
  }
  if (config.IR_ENV === 'production') {
    throw new ConfigError(
      'Invalid configuration: IR_DECISION_SIGNING_KEY is required with IR_ENV=production: operator decisions on the coordinator queue are verified with it, and every replica must share it (at least 32 random bytes, hex or base64, from Secrets Manager)',
      ['IR_DECISION_SIGNING_KEY', 'IR_ENV'],
    );
  }
  return DecisionKeyring.generate();
}

function decisionKey(text: string | undefined, variable: string): Buffer | undefined {
  if (text === undefined) return undefined;
  const key = decodeKey(text);
  if (!key || key.length < MIN_DECISION_KEY_BYTES) {
    throw new ConfigError(
      `Invalid configuration: ${variable} must be at least ${MIN_DECISION_KEY_BYTES} bytes written as hex or base64 (e.g. \`openssl rand -base64 32\`)`,
      [variable],
    );
  }
  return key;
}
