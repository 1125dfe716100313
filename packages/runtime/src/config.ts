import { z } from 'zod';
import { parseAccountList } from './accounts/allowed-accounts.js';
import { ConfigError } from './errors.js';

/** Environment variables as Node gives them. */
export type Env = Readonly<Record<string, string | undefined>>;

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const booleanFlag = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default(fallback ? 'true' : 'false')
    .transform((value) => value === 'true' || value === '1' || value === 'yes');

/** Helpers for service config schemas, so every service parses flags and numbers the same way. */
export const env = { positiveInt, booleanFlag } as const;

/**
 * Settings every worker service shares. Each service extends this schema with its own variables.
 * Keys are the environment variable names, so an error can name the variable as the operator wrote it.
 */
export const WorkerEnv = z.object({
  AWS_REGION: z.string().min(1).default('us-east-1'),
  AWS_ENDPOINT_URL: z.url().optional(),
  IR_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9_-]{1,40}$/, 'letters, digits, "-" and "_" only, at most 40 characters')
    .default('ir'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_PRETTY: booleanFlag(false),
  IR_HTTP_HOST: z.string().default('0.0.0.0'),
  IR_HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  IR_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(10).default(5),
  IR_VISIBILITY_TIMEOUT_SECONDS: positiveInt(60),
  IR_HEARTBEAT_SECONDS: positiveInt(20),
  IR_HANDLER_TIMEOUT_SECONDS: positiveInt(300),
  IR_WAIT_TIME_SECONDS: z.coerce.number().int().min(0).max(20).default(20),
  IR_RETRY_BASE_SECONDS: positiveInt(2),
  IR_RETRY_MAX_SECONDS: positiveInt(300),
  IR_SHUTDOWN_GRACE_SECONDS: positiveInt(25),
  IR_MEMBER_ROLE_NAME: z.string().min(1).optional(),
  IR_MEMBER_ROLE_EXTERNAL_ID: z.string().min(2).optional(),
  IR_HOME_ACCOUNT_ID: z
    .string()
    .regex(/^\d{12}$/, '12 digits')
    .optional(),
  /** Accounts (besides our own) the system may act in: 12-digit ids separated by commas. */
  IR_ALLOWED_ACCOUNTS: z
    .string()
    .optional()
    .superRefine((value, context) => {
      const { invalid } = parseAccountList(value);
      if (invalid.length > 0) {
        context.addIssue({ code: 'custom', message: `not 12-digit account ids: ${invalid.join(', ')}` });
      }
    }),
  /** `list`: IR_ALLOWED_ACCOUNTS only; `organizations`: also every ACTIVE account of the organization. */
  IR_ALLOWED_ACCOUNTS_SOURCE: z.enum(['list', 'organizations']).default('list'),
  /** How long an organization listing is trusted before it is read again. */
  IR_ALLOWED_ACCOUNTS_CACHE_SECONDS: positiveInt(300),
  /**
   * Messages of one account handled at once by a replica; unset: half of IR_WORKER_CONCURRENCY
   * (rounded up), so a storm in one account leaves room for the others.
   */
  IR_ACCOUNT_CONCURRENCY: z.coerce.number().int().min(1).max(10).optional(),
  /**
   * Delay before a message put back because its account was at its cap is seen again; doubled with
   * each further deferral of that message (at most 16 times, and SQS's 900 s).
   */
  IR_ACCOUNT_DEFER_SECONDS: z.coerce.number().int().min(1).max(900).default(5),
  /**
   * Test and audit only: a directory where every AWS call is appended as one JSON line
   * (`<service>-<pid>.jsonl`), for the IAM proof (`pnpm iam:prove`). Unset in production.
   */
  IR_AWS_CALL_LOG: z.string().min(1).optional(),
  /**
   * OTLP/HTTP endpoint traces are sent to (e.g. `http://otel-collector:4318`; `/v1/traces` is
   * added): one span per handled message and per AWS call, one trace per incident across the
   * services. Unset: no tracing at all.
   */
  IR_OTLP_ENDPOINT: z.url().optional(),
});
export type WorkerEnv = z.infer<typeof WorkerEnv>;

/**
 * What a service that executes steps adds (isolator, forensics, notifier): how many deliveries of one
 * command a transient error may take before it is answered as `step.failed`. Kept below the queue's
 * `maxReceiveCount` (5) so the coordinator hears back before SQS would dead-letter the command.
 */
export const StepWorkerEnv = WorkerEnv.extend({
  IR_STEP_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(4).default(4),
});
export type StepWorkerEnv = z.infer<typeof StepWorkerEnv>;

/** Variables whose values never reach a log line. */
const SECRET_KEY = /TOKEN|SECRET|PASSWORD|EXTERNAL_ID|WEBHOOK|KEY$|CREDENTIAL|DSN|ROUTING_KEY/i;

/**
 * Parses the environment with a zod object schema whose keys are variable names, then runs the
 * cross-field checks every worker needs. Throws a ConfigError naming each offending variable.
 */
export function loadConfig<S extends z.ZodObject>(schema: S, environment: Env = process.env): z.infer<S> {
  const parsed = schema.safeParse(environment);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const variable = issue.path.map(String).join('.') || '(environment)';
      return { variable, text: `${variable}: ${issue.message}` };
    });
    throw new ConfigError(
      `Invalid configuration: ${lines.map((line) => line.text).join('; ')}`,
      lines.map((line) => line.variable),
    );
  }
  const config = parsed.data as Record<string, unknown>;
  const heartbeat = config.IR_HEARTBEAT_SECONDS;
  const visibility = config.IR_VISIBILITY_TIMEOUT_SECONDS;
  if (typeof heartbeat === 'number' && typeof visibility === 'number' && heartbeat >= visibility) {
    throw new ConfigError(
      `Invalid configuration: IR_HEARTBEAT_SECONDS (${heartbeat}) must be shorter than IR_VISIBILITY_TIMEOUT_SECONDS (${visibility}), or messages become visible again while still being handled`,
      ['IR_HEARTBEAT_SECONDS', 'IR_VISIBILITY_TIMEOUT_SECONDS'],
    );
  }
  const accountConcurrency = config.IR_ACCOUNT_CONCURRENCY;
  const concurrency = config.IR_WORKER_CONCURRENCY;
  if (
    typeof accountConcurrency === 'number' &&
    typeof concurrency === 'number' &&
    accountConcurrency > concurrency
  ) {
    throw new ConfigError(
      `Invalid configuration: IR_ACCOUNT_CONCURRENCY (${accountConcurrency}) must not exceed IR_WORKER_CONCURRENCY (${concurrency})`,
      ['IR_ACCOUNT_CONCURRENCY', 'IR_WORKER_CONCURRENCY'],
    );
  }
  return parsed.data;
}

/** A copy of the config safe to log: values of secret-looking variables replaced by `[redacted]`. */
export function redactConfig(config: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(config).map(([key, value]) => [
      key,
      SECRET_KEY.test(key) && value !== undefined ? '[redacted]' : value,
    ]),
  );
}
