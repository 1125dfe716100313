import {
  ConfigError,
  type Env,
  env,
  loadConfig as loadWorkerConfig,
  parseAccountList,
  StepWorkerEnv,
} from '@ir/runtime';
import { ABSOLUTE_PATH } from '@ir/ssm-documents';
import { z } from 'zod';

/** An SSM document name as SSM accepts it (not `AWS-`, `Amazon` or `amzn`: those are AWS's own). */
const SsmDocumentNameEnv = z
  .string()
  .regex(/^[a-zA-Z0-9_.-]{3,128}$/, 'an SSM document name')
  .refine((name) => !/^(aws-|amazon|amzn)/i.test(name), 'a document the system owns, not one of AWS’s');

/**
 * The forensics service's environment: the step worker's (`IR_STEP_MAX_ATTEMPTS` and the worker
 * tuning) and its own. Keys are variable names so errors name them as written.
 * `IR_EVIDENCE_LOCK_MODE` has no static default: COMPLIANCE in AWS, GOVERNANCE when an emulator
 * endpoint is set (local runs), resolved in {@link loadConfig}.
 */
export const ForensicsEnv = StepWorkerEnv.extend({
  IR_EVIDENCE_BUCKET: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name'),
  IR_EVIDENCE_RETENTION_DAYS: z.coerce.number().int().min(1).max(36500).default(365),
  IR_EVIDENCE_LOCK_MODE: z.enum(['COMPLIANCE', 'GOVERNANCE']).optional(),
  /** SSE-KMS key for artifacts in the evidence bucket; SSE-S3 (AES256) without one. */
  IR_EVIDENCE_KMS_KEY: z.string().min(1).optional(),
  /**
   * Asymmetric KMS key (`ECC_NIST_P256`, `SIGN_VERIFY`; id, ARN or alias) every manifest is signed
   * with. Required: a hash chain its writer can extend proves nothing unsigned (TRAPS 25).
   */
  IR_EVIDENCE_SIGNING_KEY: z.string().min(1),
  /** Customer-managed key snapshots are copied with, so they can be shared (TRAPS 14). */
  IR_FORENSICS_KMS_KEY: z.string().min(1).optional(),
  /** The (security or dedicated forensics) account evidence snapshot copies are shared with. */
  IR_FORENSICS_ACCOUNT_ID: z
    .string()
    .regex(/^\d{12}$/, '12 digits')
    .optional(),
  /**
   * With `IR_FORENSICS_ACCOUNT_ID`: `copy` also copies each shared KMS copy into that account (the
   * evidence then survives the member account being closed or taken over); `share` only shares it.
   */
  IR_FORENSICS_SNAPSHOT_COPY: z.enum(['share', 'copy']).default('copy'),
  /** First look at evidence snapshots still in progress after the step; later looks double, up to 900 s. */
  IR_SNAPSHOT_POLL_SECONDS: z.coerce.number().int().min(1).max(900).default(60),
  /** How long snapshots are watched before what is known is recorded and the watch ends. */
  IR_SNAPSHOT_WATCH_HOURS: z.coerce.number().int().min(1).max(168).default(24),
  IR_SSM_COMMAND_TIMEOUT_SECONDS: z.coerce.number().int().min(30).max(3600).default(60),
  IR_SSM_POLL_SECONDS: env.positiveInt(2),
  /**
   * The SSM Command documents host commands run through (fixed scripts, @ir/ssm-documents), never
   * `AWS-RunShellScript` (TRAPS 20). Unset: `${IR_PREFIX}-CollectVolatile`, `-CaptureMemory`,
   * `-CleanRoomAnalysis`, the names deploy and the testkit bootstrap create them under.
   */
  IR_SSM_DOCUMENT_COLLECT_VOLATILE: SsmDocumentNameEnv.optional(),
  IR_SSM_DOCUMENT_CAPTURE_MEMORY: SsmDocumentNameEnv.optional(),
  IR_SSM_DOCUMENT_CLEAN_ROOM_ANALYSIS: SsmDocumentNameEnv.optional(),
  IR_MEMORY_CAPTURE: env.booleanFlag(true),
  /** Directory on the host the memory image is written to before upload (another volume if there is one). */
  IR_MEMORY_CAPTURE_DIR: z
    .string()
    .regex(
      new RegExp(`^${ABSOLUTE_PATH}$`),
      'an absolute path of letters, digits and . _ + - without . or .. parts (CaptureMemory admits no other)',
    )
    .default('/var/tmp'),
  /** Longest one memory command (the capture, or one part's upload) may run. */
  IR_MEMORY_COMMAND_TIMEOUT_SECONDS: z.coerce.number().int().min(60).max(7200).default(900),
  /** Size of each part of the memory image upload (S3 allows 5 MiB to 5 GiB). */
  IR_MEMORY_PART_MIB: z.coerce.number().int().min(5).max(5120).default(512),
  IR_CLOUDTRAIL_LOOKBACK_HOURS: z.coerce.number().int().min(1).max(2160).default(24),
  IR_CLOUDTRAIL_MAX_PAGES: z.coerce.number().int().min(1).max(100).default(10),
  /**
   * `describe` asks SSM which instances are managed (AWS). `unavailable` skips volatile collection
   * with that reason, for emulators that lack DescribeInstanceInformation (moto): without it the
   * step would fail on every delivery and hold isolation back until a person skips it.
   */
  IR_SSM_INVENTORY: z.enum(['describe', 'unavailable']).default('describe'),
  /** Clean room (evidence.clean-room): the analysis image, e.g. one with The Sleuth Kit and the SSM agent. */
  IR_FORENSICS_AMI: z
    .string()
    .regex(/^ami-[0-9a-f]{8,17}$/, 'an AMI id (ami-...)')
    .optional(),
  /** Clean room: a subnet of the forensics VPC with no internet route (SSM through VPC endpoints). */
  IR_FORENSICS_SUBNET: z
    .string()
    .regex(/^subnet-[0-9a-f]{8,17}$/, 'a subnet id (subnet-...)')
    .optional(),
  /** Clean room: the analysis instance's group (no ingress; egress to the VPC endpoints only). */
  IR_FORENSICS_SECURITY_GROUP: z
    .string()
    .regex(/^sg-[0-9a-f]{8,17}$/, 'a security group id (sg-...)')
    .optional(),
  /** Clean room: the instance profile (name or ARN) that lets the analysis instance register with SSM. */
  IR_FORENSICS_INSTANCE_PROFILE: z.string().min(1).optional(),
  /** Clean room: a launch template (id `lt-...` or name) used instead of, or under, the variables above. */
  IR_FORENSICS_LAUNCH_TEMPLATE: z.string().min(1).optional(),
  IR_FORENSICS_INSTANCE_TYPE: z
    .string()
    .regex(/^[a-z0-9-]+\.[a-z0-9]+$/, 'an instance type')
    .default('m5.large'),
  /** Clean room: a file of known-bad SHA-256 digests (one per line, `sha256sum` format accepted). */
  IR_KNOWN_BAD_HASHES_FILE: z.string().min(1).optional(),
  /** Clean room: files changed in the last this many days go into the timeline. */
  IR_CLEAN_ROOM_TIMELINE_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
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
  checkForensicsCopy(parsed);
  checkCleanRoom(parsed);
  const local = parsed.AWS_ENDPOINT_URL !== undefined;
  return {
    ...parsed,
    IR_EVIDENCE_LOCK_MODE: parsed.IR_EVIDENCE_LOCK_MODE ?? (local ? 'GOVERNANCE' : 'COMPLIANCE'),
  };
}

/**
 * The clean room's variables must describe one launch: a launch template, or an AMI and a subnet.
 * Why a subnet needs its group: without one EC2 uses the VPC's default group, whose allow-all egress
 * would give the analysis instance (and the attacker's binaries it mounts) a path out.
 */
function checkCleanRoom(parsed: z.infer<typeof ForensicsEnv>): void {
  const template = parsed.IR_FORENSICS_LAUNCH_TEMPLATE !== undefined;
  if (parsed.IR_FORENSICS_SUBNET && !parsed.IR_FORENSICS_SECURITY_GROUP && !template) {
    throw new ConfigError(
      'Invalid configuration: IR_FORENSICS_SUBNET needs IR_FORENSICS_SECURITY_GROUP (or IR_FORENSICS_LAUNCH_TEMPLATE carrying one): the VPC default group allows all egress',
      ['IR_FORENSICS_SUBNET', 'IR_FORENSICS_SECURITY_GROUP'],
    );
  }
  if (!template && (parsed.IR_FORENSICS_AMI === undefined) !== (parsed.IR_FORENSICS_SUBNET === undefined)) {
    throw new ConfigError(
      'Invalid configuration: IR_FORENSICS_AMI and IR_FORENSICS_SUBNET go together (or set IR_FORENSICS_LAUNCH_TEMPLATE): the clean room needs an image and an isolated subnet',
      ['IR_FORENSICS_AMI', 'IR_FORENSICS_SUBNET'],
    );
  }
}

/**
 * Copying into the forensics account acts in that account through the client factory, which refuses
 * accounts that are not allowed: say so at start-up rather than on every incident's snapshot step.
 * Checked only when the answer is known here (a list, and our own account id given).
 */
function checkForensicsCopy(parsed: z.infer<typeof ForensicsEnv>): void {
  const account = parsed.IR_FORENSICS_ACCOUNT_ID;
  if (!account || parsed.IR_FORENSICS_SNAPSHOT_COPY !== 'copy') return;
  if (!parsed.IR_MEMBER_ROLE_NAME && account !== parsed.IR_HOME_ACCOUNT_ID) {
    throw new ConfigError(
      `Invalid configuration: IR_FORENSICS_SNAPSHOT_COPY=copy acts in IR_FORENSICS_ACCOUNT_ID (${account}) through IR_MEMBER_ROLE_NAME, which is not set; set it, or set IR_FORENSICS_SNAPSHOT_COPY=share`,
      ['IR_FORENSICS_SNAPSHOT_COPY', 'IR_MEMBER_ROLE_NAME'],
    );
  }
  if (parsed.IR_ALLOWED_ACCOUNTS_SOURCE !== 'list' || !parsed.IR_HOME_ACCOUNT_ID) return;
  if (account === parsed.IR_HOME_ACCOUNT_ID) return;
  if (parseAccountList(parsed.IR_ALLOWED_ACCOUNTS).accounts.includes(account)) return;
  throw new ConfigError(
    `Invalid configuration: IR_FORENSICS_SNAPSHOT_COPY=copy copies snapshots into IR_FORENSICS_ACCOUNT_ID (${account}), which is not in IR_ALLOWED_ACCOUNTS; add it there, or set IR_FORENSICS_SNAPSHOT_COPY=share`,
    ['IR_FORENSICS_SNAPSHOT_COPY', 'IR_FORENSICS_ACCOUNT_ID', 'IR_ALLOWED_ACCOUNTS'],
  );
}
