import { ConfigError, type Env, env, loadConfig as loadWorkerConfig, WorkerEnv } from '@ir/runtime';
import { SeverityBand } from '@ir/contracts';
import { z } from 'zod';

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

/** The coordinator's environment: the shared worker settings plus its own. */
export const CoordinatorEnv = WorkerEnv.extend({
  /** The incident table; `${IR_PREFIX}-incidents` when unset. */
  IR_TABLE: z.string().min(3).max(255).optional(),
  /** Bearer token of the operator API. Required: an API that changes incidents is never open. */
  IR_API_TOKEN: z.string().min(16, 'must be at least 16 characters'),
  /** `key=value`: resources carrying this tag are never contained without approval. */
  IR_PROTECTED_TAG: z
    .string()
    .regex(/^[^=]+=.*$/, 'must be key=value, e.g. ir:protected=true')
    .default('ir:protected=true'),
  /** Automatic containments allowed per window; 0 sends every containment to approval. */
  IR_MAX_AUTO_CONTAINMENTS: z.coerce.number().int().min(0).default(5),
  /** The blast-radius window: seconds, or a number with s, m, h or d. */
  IR_BLAST_WINDOW: z
    .string()
    .default('1h')
    .refine((value) => durationSeconds(value) !== undefined, 'must be a duration such as 900, 15m or 1h'),
  /** How long an approval may wait before people are reminded (and on-call paged) again. */
  IR_APPROVAL_TIMEOUT_SECONDS: env.positiveInt(900),
  /** How often timed-out steps and overdue approvals are looked for. */
  IR_SWEEP_INTERVAL_SECONDS: env.positiveInt(30),
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
});

/** The parsed configuration, with derived values. */
export type CoordinatorConfig = z.infer<typeof CoordinatorEnv> & {
  readonly tableName: string;
  readonly blastWindowSeconds: number;
  readonly protectedTag: { readonly key: string; readonly value: string };
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
  const separator = config.IR_PROTECTED_TAG.indexOf('=');
  return {
    ...config,
    tableName: config.IR_TABLE ?? `${config.IR_PREFIX}-incidents`,
    blastWindowSeconds,
    protectedTag: {
      key: config.IR_PROTECTED_TAG.slice(0, separator),
      value: config.IR_PROTECTED_TAG.slice(separator + 1),
    },
  };
}
