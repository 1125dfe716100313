import { ConfigError, type Env, env, loadConfig as loadWorkerConfig, WorkerEnv } from '@ir/runtime';
import { z } from 'zod';

/**
 * The forensics service's environment. Keys are variable names so errors name them as written.
 * `IR_EVIDENCE_LOCK_MODE` has no static default: COMPLIANCE in AWS, GOVERNANCE when an emulator
 * endpoint is set (local runs), resolved in {@link loadConfig}.
 */
export const ForensicsEnv = WorkerEnv.extend({
  IR_EVIDENCE_BUCKET: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name'),
  IR_EVIDENCE_RETENTION_DAYS: z.coerce.number().int().min(1).max(36500).default(365),
  IR_EVIDENCE_LOCK_MODE: z.enum(['COMPLIANCE', 'GOVERNANCE']).optional(),
  /** SSE-KMS key for artifacts in the evidence bucket; SSE-S3 (AES256) without one. */
  IR_EVIDENCE_KMS_KEY: z.string().min(1).optional(),
  /** Customer-managed key snapshots are copied with, so they can be shared (TRAPS 14). */
  IR_FORENSICS_KMS_KEY: z.string().min(1).optional(),
  /** The (security or dedicated forensics) account evidence snapshot copies are shared with. */
  IR_FORENSICS_ACCOUNT_ID: z
    .string()
    .regex(/^\d{12}$/, '12 digits')
    .optional(),
  IR_SSM_COMMAND_TIMEOUT_SECONDS: z.coerce.number().int().min(30).max(3600).default(60),
  IR_SSM_POLL_SECONDS: env.positiveInt(2),
  IR_MEMORY_CAPTURE: env.booleanFlag(true),
  IR_CLOUDTRAIL_LOOKBACK_HOURS: z.coerce.number().int().min(1).max(2160).default(24),
  IR_CLOUDTRAIL_MAX_PAGES: z.coerce.number().int().min(1).max(100).default(10),
  /**
   * `describe` asks SSM which instances are managed (AWS). `unavailable` skips volatile collection
   * with that reason, for emulators that lack DescribeInstanceInformation (moto): without it the
   * step would fail on every delivery and hold isolation back until a person skips it.
   */
  IR_SSM_INVENTORY: z.enum(['describe', 'unavailable']).default('describe'),
});

/** The parsed forensics configuration, lock mode resolved. */
export type ForensicsConfig = Omit<z.infer<typeof ForensicsEnv>, 'IR_EVIDENCE_LOCK_MODE'> & {
  readonly IR_EVIDENCE_LOCK_MODE: 'COMPLIANCE' | 'GOVERNANCE';
};

/**
 * Parses and checks the environment. Why the time check: volatile collection polls SSM inside one
 * handler, so a command time-out at or beyond the handler time-out would be aborted and retried
 * forever instead of being recorded as timed out.
 */
export function loadConfig(environment: Env = process.env): ForensicsConfig {
  const parsed = loadWorkerConfig(ForensicsEnv, environment);
  if (parsed.IR_SSM_COMMAND_TIMEOUT_SECONDS + 30 > parsed.IR_HANDLER_TIMEOUT_SECONDS) {
    throw new ConfigError(
      `Invalid configuration: IR_SSM_COMMAND_TIMEOUT_SECONDS (${parsed.IR_SSM_COMMAND_TIMEOUT_SECONDS}) must be at least 30 s shorter than IR_HANDLER_TIMEOUT_SECONDS (${parsed.IR_HANDLER_TIMEOUT_SECONDS}), or timed-out commands are never recorded`,
      ['IR_SSM_COMMAND_TIMEOUT_SECONDS', 'IR_HANDLER_TIMEOUT_SECONDS'],
    );
  }
  if (parsed.IR_SSM_POLL_SECONDS >= parsed.IR_SSM_COMMAND_TIMEOUT_SECONDS) {
    throw new ConfigError(
      `Invalid configuration: IR_SSM_POLL_SECONDS (${parsed.IR_SSM_POLL_SECONDS}) must be shorter than IR_SSM_COMMAND_TIMEOUT_SECONDS`,
      ['IR_SSM_POLL_SECONDS', 'IR_SSM_COMMAND_TIMEOUT_SECONDS'],
    );
  }
  if (parsed.IR_FORENSICS_ACCOUNT_ID && !parsed.IR_FORENSICS_KMS_KEY) {
    throw new ConfigError(
      'Invalid configuration: IR_FORENSICS_ACCOUNT_ID needs IR_FORENSICS_KMS_KEY: snapshots encrypted with the AWS-managed EBS key cannot be shared, so they are shared as copies under the customer-managed key (TRAPS 14)',
      ['IR_FORENSICS_ACCOUNT_ID', 'IR_FORENSICS_KMS_KEY'],
    );
  }
  const local = parsed.AWS_ENDPOINT_URL !== undefined;
  return {
    ...parsed,
    IR_EVIDENCE_LOCK_MODE: parsed.IR_EVIDENCE_LOCK_MODE ?? (local ? 'GOVERNANCE' : 'COMPLIANCE'),
  };
}
