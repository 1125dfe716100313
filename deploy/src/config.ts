import { z } from 'zod';

/** The five services, in pipeline order; each runs from the same image with its own command. */
export const SERVICE_NAMES = [
  'detection',
  'response-coordinator',
  'isolator',
  'forensics',
  'notifier',
] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** Notifier variables that carry secrets; each may be filled from a Secrets Manager secret. */
export const NOTIFIER_SECRET_VARIABLES = [
  'IR_SLACK_WEBHOOK_URL',
  'IR_PAGERDUTY_ROUTING_KEY',
  'IR_SMTP_PASSWORD',
  'IR_WEBHOOK_SECRET',
  'IR_JIRA_API_TOKEN',
] as const;
export type NotifierSecretVariable = (typeof NOTIFIER_SECRET_VARIABLES)[number];

const accountId = z.string().regex(/^\d{12}$/, '12 digits');
const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** A JSON object given as a context string (cdk.json objects are stringified first); unset is `{}`. */
const jsonObject = z
  .string()
  .optional()
  .transform((value, context): unknown => {
    if (value === undefined) return {};
    try {
      return JSON.parse(value);
    } catch {
      context.addIssue({ code: 'custom', message: 'not JSON' });
      return z.NEVER;
    }
  });

/**
 * Settings of the security-account stack. Keys are CDK context keys (`-c key=value` or cdk.json), so an
 * error names what the operator wrote. Everything has a default: `synth` runs with no context at all.
 */
export const DeployConfig = z
  .object({
    /** `IR_PREFIX`: names the queues (`<prefix>-findings`…), the table and the task roles. */
    prefix: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,29}$/, 'lowercase letters, digits and "-", at most 30 characters')
      .default('ir'),
    /** `IR_TABLE`; defaults to `<prefix>-incidents`. */
    tableName: z.string().min(3).max(255).optional(),
    /** Evidence bucket name; defaults to `<prefix>-evidence-<account>-<region>` (bucket names are global). */
    evidenceBucketName: z.string().min(3).max(63).optional(),
    /** Object Lock default retention of evidence. COMPLIANCE cannot be shortened or lifted by anyone. */
    evidenceLockMode: z.enum(['COMPLIANCE', 'GOVERNANCE']).default('COMPLIANCE'),
    evidenceRetentionDays: positiveInt(90),
    /** GuardDuty severity (1.0–10.0) at and above which findings reach the pipeline. */
    findingSeverityThreshold: z.coerce.number().min(1).max(10).default(4),
    /** Also forward Security Hub findings whose product is GuardDuty (duplicates of the GuardDuty rule). */
    securityHubIncludeGuardDuty: z.stringbool().default(false),
    /**
     * The role that alone may disable or schedule the deletion of the evidence key (break glass), as
     * an ARN; unset, the stack creates `<prefix>-evidence-break-glass`, which nobody can assume until
     * an administrator edits its trust policy.
     */
    breakGlassRoleArn: z
      .string()
      .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, 'an IAM role ARN')
      .optional(),
    /**
     * The operator API's OIDC issuer (`IR_OIDC_ISSUER`, https) and audience (`IR_OIDC_AUDIENCE`): the
     * defaults of the system stack's `OidcIssuer` and `OidcAudience` parameters. Unset, the parameters
     * have no default and CloudFormation refuses a deployment that does not give them. There is no
     * static-token mode in a deployment (the coordinator refuses it with IR_ENV=production).
     */
    oidcIssuer: z
      .string()
      .regex(/^https:\/\/[^\s]+$/, 'an https URL (the issuer of the OIDC tokens)')
      .optional(),
    oidcAudience: z.string().min(1).optional(),
    /** The token claim roles come from (`IR_OIDC_ROLES_CLAIM`); unset: the coordinator's default, `groups`. */
    oidcRolesClaim: z.string().min(1).optional(),
    /** JSON object group → role (`IR_OIDC_ROLE_MAP`); unset: the coordinator's default `ir-*` groups. */
    // The roles of the coordinator's OperatorRole (packages/contracts); deploy does not depend on contracts.
    oidcRoleMap: jsonObject.pipe(
      z.record(z.string().min(1), z.enum(['viewer', 'responder', 'approver', 'admin'])),
    ),
    /** Name of the Secrets Manager secret holding `IR_MEMBER_ROLE_EXTERNAL_ID`; unset: no external id. */
    memberExternalIdSecretName: z.string().min(1).optional(),
    /** AWS Organizations id: scopes sts:AssumeRole and the cross-account use of the evidence key. */
    organizationId: z
      .string()
      .regex(/^o-[a-z0-9]{10,32}$/, 'an organization id such as o-abc123defg')
      .optional(),
    /** Member accounts allowed to use the evidence key (snapshot copies), when no organization is set. */
    memberAccountIds: z
      .string()
      .optional()
      .transform((value) =>
        (value ?? '')
          .split(',')
          .map((item) => item.trim())
          .filter(Boolean),
      )
      .pipe(z.array(accountId)),
    /**
     * The clean room's analysis image (e.g. with The Sleuth Kit and the SSM agent) in the deployed
     * region; set, the stack adds the forensics VPC, SSM endpoints, group and launch template and the
     * forensics service runs evidence.clean-room; unset, none of it is created and the step is refused.
     */
    forensicsAmiId: z
      .string()
      .regex(/^ami-[0-9a-f]{8,17}$/, 'an AMI id (ami-...)')
      .optional(),
    forensicsInstanceType: z
      .string()
      .regex(/^[a-z0-9-]+\.[a-z0-9]+$/, 'an instance type')
      .default('m5.large'),
    /** The analysis image's root device name, so the launch template encrypts that volume. */
    forensicsRootDevice: z
      .string()
      .regex(/^\/dev\/[a-z0-9]+$/, 'a device name')
      .default('/dev/xvda'),
    /** An ECR image URI to run instead of building docker/Dockerfile as a CDK asset. */
    imageUri: z.string().min(1).optional(),
    logRetentionDays: positiveInt(365),
    shutdownGraceSeconds: positiveInt(25),
    minTasks: z.coerce.number().int().min(1).default(2),
    maxTasks: positiveInt(6),
    /** Target messages waiting per running task before scaling out. */
    backlogPerTask: positiveInt(20),
    /** Alarm when the oldest message of a queue is older than this. */
    oldestMessageAlarmSeconds: positiveInt(300),
    /** Address subscribed to the alarm topic; unset: subscribe yourself. */
    alarmEmail: z.email().optional(),
    /** Path in the image of the notifier's routing file (`IR_NOTIFY_ROUTES`). */
    notifierRoutesPath: z.string().min(1).default('/app/services/notifier/routes.yaml'),
    /** Secret names (in this account) for notifier secret variables, as JSON: `{"IR_SLACK_WEBHOOK_URL":"ir/slack"}`. */
    notifierSecrets: jsonObject.pipe(z.partialRecord(z.enum(NOTIFIER_SECRET_VARIABLES), z.string().min(1))),
    /** Plain (non-secret) notifier variables as JSON, e.g. `{"IR_JIRA_BASE_URL":"https://…"}`. */
    notifierEnvironment: jsonObject.pipe(
      z.record(z.string().regex(/^IR_[A-Z0-9_]+$/, 'an IR_ variable'), z.string()),
    ),
  })
  .superRefine((config, context) => {
    // ECS allows at most 120 s between SIGTERM and SIGKILL on Fargate; the services need the grace
    // period plus time to close HTTP and flush logs.
    if (config.shutdownGraceSeconds + 15 > 120) {
      context.addIssue({
        code: 'custom',
        path: ['shutdownGraceSeconds'],
        message: 'must leave 15 s under the 120 s Fargate stop timeout (at most 105)',
      });
    }
    if (config.minTasks > config.maxTasks) {
      context.addIssue({ code: 'custom', path: ['minTasks'], message: 'must not exceed maxTasks' });
    }
    for (const key of Object.keys(config.notifierEnvironment)) {
      if ((NOTIFIER_SECRET_VARIABLES as readonly string[]).includes(key)) {
        context.addIssue({
          code: 'custom',
          path: ['notifierEnvironment', key],
          message: 'is a secret: give it in notifierSecrets as a Secrets Manager secret name',
        });
      }
    }
  });
export type DeployConfig = z.infer<typeof DeployConfig>;

/** Context keys that no longer exist, with what replaced them, so an old setting is not silently ignored. */
export const REMOVED_CONTEXT_KEYS: Readonly<Record<string, string>> = {
  apiToken:
    'refused: the deployed operator API authenticates operators with OIDC only (oidcIssuer, oidcAudience); the static token is a local-development mode',
  authMode:
    'refused: the deployed operator API authenticates operators with OIDC only (oidcIssuer, oidcAudience); the static token is a local-development mode',
  memberRoleName:
    'removed: each acting service has its own member role, <prefix>-isolator-response and <prefix>-forensics-response (named by prefix)',
};

/** Every context key the app reads (`-c key=value` or cdk.json `context`). */
export const DEPLOY_CONTEXT_KEYS = Object.keys(DeployConfig.shape) as readonly (keyof DeployConfig)[];

/** Raised for invalid deployment settings; the message names every offending context key. */
export class DeployConfigError extends Error {
  override readonly name = 'DeployConfigError';
  constructor(
    message: string,
    readonly keys: readonly string[],
  ) {
    super(message);
  }
}

/**
 * Parses deployment settings from CDK context values (strings from `-c`, or JSON values from
 * cdk.json, which are stringified first so both read the same).
 */
export function parseDeployConfig(context: Readonly<Record<string, unknown>> = {}): DeployConfig {
  const removed = Object.keys(REMOVED_CONTEXT_KEYS).filter((key) => context[key] !== undefined);
  if (removed.length > 0) {
    throw new DeployConfigError(
      `Invalid deployment context: ${removed.map((key) => `${key}: ${REMOVED_CONTEXT_KEYS[key]}`).join('; ')}`,
      removed,
    );
  }
  const input = Object.fromEntries(
    DEPLOY_CONTEXT_KEYS.filter((key) => context[key] !== undefined).map((key) => {
      const value = context[key];
      return [key, typeof value === 'string' ? value : JSON.stringify(value)];
    }),
  );
  const parsed = DeployConfig.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => ({
      key: issue.path.map(String).join('.') || '(context)',
      message: issue.message,
    }));
    throw new DeployConfigError(
      `Invalid deployment context: ${issues.map((issue) => `${issue.key}: ${issue.message}`).join('; ')}`,
      issues.map((issue) => issue.key),
    );
  }
  return parsed.data;
}

/** The incident table name the services read from `IR_TABLE`. */
export function tableNameOf(config: DeployConfig): string {
  return config.tableName ?? `${config.prefix}-incidents`;
}

/** Task role names are fixed so the member-account stack can trust them by ARN. */
export function taskRoleNameOf(prefix: string, service: ServiceName): string {
  return `${prefix}-${service}-task`;
}

/** Services that act in member accounts, each through a response role of its own there. */
export const MEMBER_ACTING_SERVICES = ['isolator', 'forensics'] as const;
export type MemberActingService = (typeof MEMBER_ACTING_SERVICES)[number];

/**
 * The member-account response role of one service (`IR_MEMBER_ROLE_NAME` of that service). Fixed by
 * prefix, like the task roles, so the member stack and the system agree without a shared setting.
 */
export function memberRoleNameOf(prefix: string, service: MemberActingService): string {
  return `${prefix}-${service}-response`;
}
