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
/** A comma-separated context value as its trimmed, non-empty items (unset: none). */
const commaList = z
  .string()
  .optional()
  .transform((value) =>
    (value ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  );
/** An ACM certificate ARN (a load balancer's HTTPS listener, in the stack's region). */
const acmCertificateArn = z
  .string()
  .regex(
    /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[\w-]+$/,
    'an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>)',
  );
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
     * The coordinator's `IR_FINDING_SYNC=on`: mark each incident's findings at their source (Security
     * Hub workflow status, from this account as the Security Hub administrator). Also grants the
     * notifier the Security Hub calls it makes for that.
     */
    findingSync: z.stringbool().default(false),
    /**
     * The coordinator's `IR_GUARDDUTY_ARCHIVE_FALSE_POSITIVES`: archive the GuardDuty findings of a
     * false positive (needs `findingSync`); grants the notifier GuardDuty's archive calls.
     */
    guardDutyArchiveFalsePositives: z.stringbool().default(false),
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
    /**
     * Which of the two generated decision-signing keys (`<prefix>/decision-signing-key-a`, `-b`) the
     * coordinator signs with (`IR_DECISION_SIGNING_KEY`); the other still verifies
     * (`IR_DECISION_SIGNING_KEY_PREVIOUS`). Rotation writes a new value into the other one and flips
     * this, so nobody ever reads a key (README, "Decision-signing key").
     */
    decisionSigningKey: z.enum(['a', 'b']).default('a'),
    /**
     * Roles of the people who run `irctl submit` and `irctl dlq redrive` (which call SQS with their
     * own credentials), comma-separated: the only principals besides the services the work queues'
     * policies let send. Not needed for the console's DLQ redrive, which the coordinator makes with its
     * task role. A trailing `*` is allowed for SSO permission-set roles, whose names end in a random
     * suffix. Unset: nobody but the services and the finding rules may send to any queue.
     */
    operatorRoleArns: commaList.pipe(
      z.array(
        z
          .string()
          .regex(
            /^arn:aws[a-z-]*:iam::\d{12}:role\/([\w+=,.@-]+\/)*[\w+=,.@-]{3,}\*?$/,
            'a role ARN (with its path), optionally ending in * after at least 3 characters of its name',
          ),
      ),
    ),
    /** Secret (name) holding Slack's signing secret: the coordinator's `IR_SLACK_SIGNING_SECRET`. */
    slackSigningSecretName: z.string().min(1).optional(),
    /**
     * Secret (name) holding the Jira admin webhook's secret: the coordinator's
     * `IR_JIRA_WEBHOOK_SECRET`. Set, the coordinator serves `POST /integrations/jira/webhook`, so a
     * ticket closed in Jira resolves its incident; the Jira site is
     * `notifierEnvironment.IR_JIRA_BASE_URL`, which it then needs.
     */
    jiraWebhookSecretName: z.string().min(1).optional(),
    /**
     * Jira resolution names to dispositions (the coordinator's `IR_JIRA_RESOLUTION_DISPOSITIONS`), e.g.
     * `Done=true-positive,Won't Do=false-positive,Duplicate=duplicate`; unset: that default.
     */
    jiraResolutionDispositions: z.string().min(1).optional(),
    /** Secret (name) holding the Slack bot token (`xoxb-…`): the notifier's `IR_SLACK_BOT_TOKEN`. */
    slackBotTokenSecretName: z.string().min(1).optional(),
    /** Slack channel (id) approval requests are posted to: the notifier's `IR_SLACK_APPROVAL_CHANNEL`. */
    slackApprovalChannel: z
      .string()
      .regex(/^[A-Z0-9]{9,}$/, 'a Slack channel id such as C0123456789')
      .optional(),
    /**
     * Slack user id → operator, as JSON (the coordinator's `IR_SLACK_USER_MAP`):
     * `{"U0123ABCD":{"issuer":"https://idp…","subject":"…","name":"…","email":"…","role":"approver"}}`,
     * with the issuer and subject the person's tokens carry, so the two-person rule sees one person
     * whether they decide in Slack or with irctl.
     */
    slackUserMap: z
      .string()
      .optional()
      .transform((value, context): unknown => {
        if (value === undefined) return undefined;
        try {
          return JSON.parse(value);
        } catch {
          context.addIssue({ code: 'custom', message: 'not JSON' });
          return z.NEVER;
        }
      })
      .pipe(
        z
          .record(
            z.string().regex(/^[UW][A-Z0-9]{2,}$/, 'a Slack user id such as U0123ABCD'),
            // The coordinator's SlackOperator (an OperatorIdentity with its role); deploy does not
            // depend on contracts, so the fields a mistake is likeliest in are checked here, the rest there.
            z.looseObject({
              issuer: z.string().min(1),
              subject: z.string().min(1),
              role: z.enum(['viewer', 'responder', 'approver', 'admin']),
            }),
          )
          .refine((map) => Object.keys(map).length > 0, 'maps no Slack user')
          .optional(),
      ),
    /**
     * ACM certificate (ARN, in the stack's region) for the optional public Slack ingress: set, the
     * stack adds an internet-facing load balancer whose only route is `POST /slack/interactions` to the
     * coordinator (constructs/slack-ingress.ts), so Slack can deliver button clicks. Only with the
     * three Slack keys.
     */
    slackIngressCertificateArn: acmCertificateArn.optional(),
    /**
     * IPv4 CIDRs, comma-separated, the Slack ingress admits on 443; unset: anywhere. Slack publishes
     * no fixed egress addresses, so narrowing this only fits a proxy of your own in front; Slack's
     * request signature is what authenticates a request either way.
     */
    slackIngressAllowedCidrs: commaList.pipe(z.array(z.cidrv4('an IPv4 CIDR such as 203.0.113.0/24'))),
    /**
     * ACM certificate (ARN, in the stack's region) of the host name operators open the console at: set,
     * the stack adds the console's entry, an internal load balancer in the services' private subnets
     * that forwards only the coordinator's operator paths over HTTPS (constructs/console-ingress.ts).
     * Needs `consoleAllowedCidrs`.
     */
    consoleCertificateArn: acmCertificateArn.optional(),
    /**
     * IPv4 CIDRs, comma-separated, the console's entry admits on 443: the networks operators come from
     * (VPN, Direct Connect). Required with `consoleCertificateArn`, so the entry admits nobody by
     * default; `0.0.0.0/0` is refused (name the networks).
     */
    consoleAllowedCidrs: commaList.pipe(
      z.array(
        z
          .cidrv4('an IPv4 CIDR such as 10.20.0.0/16')
          .refine(
            (cidr) => !cidr.endsWith('/0'),
            'admits every address: name the networks operators reach the VPC from (VPN, Direct Connect)',
          ),
      ),
    ),
    /**
     * The console's client id at the issuer (the coordinator's `IR_CONSOLE_CLIENT_ID`; unset, its
     * default `ir-console`): a public client, authorization code with PKCE, no secret.
     */
    consoleClientId: z
      .string()
      .regex(/^[\x21-\x7e]{1,255}$/, 'a client id: 1 to 255 visible ASCII characters, no spaces')
      .optional(),
    /**
     * Origins, comma-separated, besides the issuer's, that the console may call and post forms to (the
     * coordinator's `IR_CONSOLE_IDP_ORIGINS`): an identity provider whose authorization or token
     * endpoint is elsewhere (Amazon Cognito: the user pool domain). Each an https origin, no path.
     */
    consoleIdpOrigins: commaList.pipe(
      z.array(
        z
          .string()
          .regex(
            /^https:\/\/[A-Za-z0-9.-]+(:\d{1,5})?\/?$/,
            'an https origin (scheme, host and optional port, no path), such as https://auth.example.com',
          )
          // As the coordinator compares origins: lower-case host, no default port, no trailing slash.
          .transform((origin) => new URL(origin).origin),
      ),
    ),
    /** Name of the Secrets Manager secret holding `IR_MEMBER_ROLE_EXTERNAL_ID`; unset: no external id. */
    memberExternalIdSecretName: z.string().min(1).optional(),
    /** AWS Organizations id: scopes sts:AssumeRole and the cross-account use of the evidence key. */
    organizationId: z
      .string()
      .regex(/^o-[a-z0-9]{10,32}$/, 'an organization id such as o-abc123defg')
      .optional(),
    /** Member accounts allowed to use the evidence key (snapshot copies), when no organization is set. */
    memberAccountIds: commaList.pipe(z.array(accountId)),
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
    if (config.guardDutyArchiveFalsePositives && !config.findingSync) {
      context.addIssue({
        code: 'custom',
        path: ['guardDutyArchiveFalsePositives'],
        message: 'needs findingSync: findings are archived by the finding sync step on resolve',
      });
    }
    // Slack approvals need both halves: the notifier posts the buttons, the coordinator verifies clicks.
    const slack = {
      slackSigningSecretName: config.slackSigningSecretName,
      slackBotTokenSecretName: config.slackBotTokenSecretName,
      slackApprovalChannel: config.slackApprovalChannel,
    };
    const given = Object.entries(slack).filter(([, value]) => value !== undefined);
    if (given.length > 0 && given.length < 3) {
      for (const [key] of Object.entries(slack).filter(([, value]) => value === undefined)) {
        context.addIssue({
          code: 'custom',
          path: [key],
          message: `is required with ${given.map(([name]) => name).join(', ')} (Slack approvals need the signing secret, the bot token and the channel)`,
        });
      }
    }
    if (config.slackUserMap && given.length === 0) {
      context.addIssue({
        code: 'custom',
        path: ['slackUserMap'],
        message:
          'is only used with Slack approvals (slackSigningSecretName, slackBotTokenSecretName, slackApprovalChannel)',
      });
    }
    // The ingress exists only to carry Slack's clicks to a coordinator that verifies them.
    if (config.slackIngressCertificateArn && given.length === 0) {
      context.addIssue({
        code: 'custom',
        path: ['slackIngressCertificateArn'],
        message:
          'is only used with Slack approvals: set slackSigningSecretName, slackBotTokenSecretName and slackApprovalChannel too (without the signing secret the coordinator serves no /slack/interactions for the load balancer to forward to)',
      });
    }
    if (config.slackIngressAllowedCidrs.length > 0 && !config.slackIngressCertificateArn) {
      context.addIssue({
        code: 'custom',
        path: ['slackIngressAllowedCidrs'],
        message: 'is only used with slackIngressCertificateArn (the Slack ingress)',
      });
    }
    // The Jira webhook names the site's users as deciders: it needs the site the notifier writes to.
    if (config.jiraWebhookSecretName && !config.notifierEnvironment.IR_JIRA_BASE_URL) {
      context.addIssue({
        code: 'custom',
        path: ['jiraWebhookSecretName'],
        message: 'needs notifierEnvironment.IR_JIRA_BASE_URL (the Jira site whose webhook it verifies)',
      });
    }
    if (config.jiraResolutionDispositions && !config.jiraWebhookSecretName) {
      context.addIssue({
        code: 'custom',
        path: ['jiraResolutionDispositions'],
        message: 'is only used with jiraWebhookSecretName (the Jira webhook)',
      });
    }
    // The console's entry admits only named networks: without them it would admit nobody, or everybody.
    if (config.consoleCertificateArn && config.consoleAllowedCidrs.length === 0) {
      context.addIssue({
        code: 'custom',
        path: ['consoleAllowedCidrs'],
        message:
          'is required with consoleCertificateArn: the IPv4 CIDRs operators reach the console from (VPN, Direct Connect); the entry admits nobody else',
      });
    }
    if (config.consoleAllowedCidrs.length > 0 && !config.consoleCertificateArn) {
      context.addIssue({
        code: 'custom',
        path: ['consoleAllowedCidrs'],
        message: "is only used with consoleCertificateArn (the console's HTTPS entry)",
      });
    }
    for (const key of Object.keys(config.notifierEnvironment)) {
      if ((NOTIFIER_SECRET_VARIABLES as readonly string[]).includes(key)) {
        context.addIssue({
          code: 'custom',
          path: ['notifierEnvironment', key],
          message: 'is a secret: give it in notifierSecrets as a Secrets Manager secret name',
        });
      }
      const slackSetting = SLACK_VARIABLES[key];
      if (slackSetting) {
        context.addIssue({
          code: 'custom',
          path: ['notifierEnvironment', key],
          message: `is set by ${slackSetting}`,
        });
      }
    }
  });

/** Slack approval variables the stack sets from their own keys (never through notifierEnvironment). */
const SLACK_VARIABLES: Readonly<Record<string, string>> = {
  IR_SLACK_BOT_TOKEN: 'slackBotTokenSecretName (a Secrets Manager secret name: the token is a secret)',
  IR_SLACK_APPROVAL_CHANNEL: 'slackApprovalChannel',
};
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
