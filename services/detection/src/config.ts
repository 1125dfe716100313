import { ConfigError, type Env, env, loadConfig as parseEnv, WorkerEnv } from '@ir/runtime';
import { z } from 'zod';

/** SQS's classic message size limit, and EventBridge's event size limit: no AWS finding is bigger. */
export const DEFAULT_MAX_FINDING_BYTES = 262_144;

/**
 * The detection service's environment: the shared worker settings plus its own. Keys are the
 * variable names so every error names the variable as the operator wrote it.
 */
export const DetectionEnv = WorkerEnv.extend({
  /** The incident table; defaults to `${IR_PREFIX}-incidents`. */
  IR_TABLE: z
    .string()
    .regex(/^[a-zA-Z0-9_.-]{3,255}$/, 'a DynamoDB table name')
    .optional(),
  /** GuardDuty's generated sample findings are counted and skipped unless this is true. */
  IR_ACCEPT_SAMPLE_FINDINGS: env.booleanFlag(false),
  /** YAML suppression rules; without it nothing is suppressed. */
  IR_SUPPRESSIONS_FILE: z.string().min(1).optional(),
  /**
   * How often the suppression rules are re-read, from the incident table (rules written through the
   * operator API) and from IR_SUPPRESSIONS_FILE (when its modification time changed), so a new rule
   * applies without a restart. A failed re-read keeps the rules already loaded.
   */
  IR_SUPPRESSIONS_REFRESH_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  /** A new finding about a resource attaches to its open incident if the last finding is this recent. */
  IR_COALESCE_WINDOW_SECONDS: env.positiveInt(3600),
  /**
   * How long a finding id is remembered, so a re-emission updates its incident rather than opening
   * another. 90 days: GuardDuty keeps (and keeps updating) a finding that long.
   */
  IR_FINDING_MEMORY_DAYS: env.positiveInt(90),
  /**
   * A re-emission the coordinator would not act on (same severity band, same resources) is forwarded
   * at most once per finding in this many seconds; the newest version held back is forwarded when the
   * interval ends, so the incident ends up with the newest count. 0 forwards every re-emission.
   */
  IR_REEMISSION_FORWARD_SECONDS: z.coerce.number().int().min(0).max(3600).default(60),
  /** Bodies larger than this are dead-lettered unread (`too-large`). */
  IR_MAX_FINDING_BYTES: z.coerce.number().int().min(1024).max(1_048_576).default(DEFAULT_MAX_FINDING_BYTES),
  /** Marks every incident dry-run, so the whole pipeline only reads (shadow mode while onboarding). */
  IR_DRY_RUN: env.booleanFlag(false),
});
/** @see DetectionEnv */
export type DetectionEnv = z.infer<typeof DetectionEnv>;

/** The parsed configuration, with derived values filled in. */
export type DetectionConfig = DetectionEnv & { readonly tableName: string };

/**
 * Parses and checks the environment once, in main.ts (which passes `process.env`; nothing else reads
 * it). Throws a ConfigError naming each variable.
 * Why the window check: a window longer than the finding memory would let a re-emission of a
 * forgotten finding open a second incident while its resource's incident is still being coalesced.
 */
export function loadConfig(environment: Env): DetectionConfig {
  const config = parseEnv(DetectionEnv, environment);
  if (config.IR_COALESCE_WINDOW_SECONDS > config.IR_FINDING_MEMORY_DAYS * 86_400) {
    throw new ConfigError(
      `Invalid configuration: IR_COALESCE_WINDOW_SECONDS (${config.IR_COALESCE_WINDOW_SECONDS}) must not be longer than IR_FINDING_MEMORY_DAYS (${config.IR_FINDING_MEMORY_DAYS} days)`,
      ['IR_COALESCE_WINDOW_SECONDS', 'IR_FINDING_MEMORY_DAYS'],
    );
  }
  return { ...config, tableName: config.IR_TABLE ?? `${config.IR_PREFIX}-incidents` };
}
