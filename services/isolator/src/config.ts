import { ProtectedTagSetting } from '@ir/contracts';
import { ConfigError, type Env, loadConfig as loadWorkerConfig, StepWorkerEnv } from '@ir/runtime';
import { z } from 'zod';

/** A comma-separated list with blanks dropped; `fallback` when the variable is unset. */
const commaSeparated = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value) =>
      value
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item.length > 0),
    );

const arnList = commaSeparated('').pipe(
  z.array(z.string().regex(/^arn:aws[\w-]*:(iam|sts)::\d{12}:/, 'comma-separated IAM ARNs')),
);

const portList = commaSeparated('22,3389').pipe(
  z
    .array(
      z
        .string()
        .regex(/^\d+$/, 'comma-separated port numbers')
        .transform(Number)
        .pipe(z.number().int().max(65535, 'ports are 0-65535')),
    )
    .min(1, 'at least one port'),
);

/**
 * IPv4 CIDRs (EKS public-endpoint CIDRs are IPv4), none of them `/0`: restricting an endpoint to the
 * whole internet restricts nothing.
 */
const eksCidrList = commaSeparated('').pipe(
  z.array(
    z
      .cidrv4('comma-separated IPv4 CIDRs')
      .refine((cidr) => !cidr.endsWith('/0'), 'a /0 block restricts nothing'),
  ),
);

/**
 * The isolator's variables on top of the step worker's (the shared worker settings and
 * `IR_STEP_MAX_ATTEMPTS`).
 */
export const IsolatorEnv = StepWorkerEnv.extend({
  /** Ingress allowed into the isolation group (a forensics workstation or subnet); none when unset. */
  IR_FORENSICS_CIDR: z.union([z.cidrv4(), z.cidrv6()]).optional(),
  /** Network ACL rule numbers reserved for the isolator (low numbers are evaluated first). */
  IR_NACL_RULE_MIN: z.coerce.number().int().min(1).max(32766).default(1),
  IR_NACL_RULE_MAX: z.coerce.number().int().min(1).max(32766).default(99),
  /** Principals that keep access to a contained bucket besides the command's own list. */
  IR_S3_ALLOW_PRINCIPAL_ARNS: arnList,
  /** Seconds ENIs stay in the all-open conversion group before the isolation group (TRAPS 2). */
  IR_CONVERSION_HOLD_SECONDS: z.coerce.number().min(0).max(60).default(0),
  /**
   * Administrative ports `contain.security-group-ingress` closes to the world (0.0.0.0/0, ::/0);
   * a command's own `ports` add to these. SSH and RDP by default.
   */
  IR_ADMIN_PORTS: portList,
  /**
   * The networks `contain.eks-endpoint-access` leaves an EKS cluster's public API endpoint open to
   * (your operators' and responders' addresses). Unset, the public endpoint is switched off instead,
   * and only on a cluster whose private endpoint is on (otherwise refused: nobody could reach it).
   */
  IR_EKS_ENDPOINT_ALLOWED_CIDRS: eksCidrList,
  /**
   * `enabled`: the EKS actions that act inside a cluster (`contain.eks-pod-network`,
   * `contain.eks-node-cordon`, and the IRSA half of `contain.eks-workload-role`) reach its Kubernetes
   * API, as the isolator's role mapped by an EKS access entry. `unavailable`: they do not try, and say
   * so in the step (skipped, with a reason naming this setting and what a person must do); the AWS-side
   * EKS actions are unaffected. For emulators without a Kubernetes API (`pnpm dev`, the compose stack
   * and the system tests set it) and for accounts where the access entry is not set up yet.
   */
  IR_EKS_KUBERNETES_API: z.enum(['enabled', 'unavailable']).default('enabled'),
  /**
   * The evidence bucket (read only): `contain.s3-object-delete` deletes an object version only once its
   * evidence copy is there. Unset, that delete is always refused (evidence first).
   */
  /**
   * `key=value` (the coordinator's setting, same default): before every containment the isolator reads
   * the tags of each resource the step would change from AWS and holds the step (`step.held`) when one
   * carries this tag, compared without regard to case, unless the command was approved for
   * `protected-resource` (TRAPS 22).
   */
  IR_PROTECTED_TAG: ProtectedTagSetting,
  IR_EVIDENCE_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name')
    .optional(),
});
/** @see IsolatorEnv */
export type IsolatorConfig = z.infer<typeof IsolatorEnv>;

/**
 * Parses the isolator's environment and checks combinations; every error names its variable.
 * Called once, from main.ts.
 */
export function loadConfig(environment: Env = process.env): IsolatorConfig {
  const config = loadWorkerConfig(IsolatorEnv, environment);
  if (config.IR_NACL_RULE_MIN > config.IR_NACL_RULE_MAX) {
    throw new ConfigError(
      `Invalid configuration: IR_NACL_RULE_MIN (${config.IR_NACL_RULE_MIN}) must not exceed IR_NACL_RULE_MAX (${config.IR_NACL_RULE_MAX})`,
      ['IR_NACL_RULE_MIN', 'IR_NACL_RULE_MAX'],
    );
  }
  if (config.IR_CONVERSION_HOLD_SECONDS >= config.IR_HANDLER_TIMEOUT_SECONDS) {
    throw new ConfigError(
      `Invalid configuration: IR_CONVERSION_HOLD_SECONDS (${config.IR_CONVERSION_HOLD_SECONDS}) must be shorter than IR_HANDLER_TIMEOUT_SECONDS (${config.IR_HANDLER_TIMEOUT_SECONDS})`,
      ['IR_CONVERSION_HOLD_SECONDS', 'IR_HANDLER_TIMEOUT_SECONDS'],
    );
  }
  return config;
}
