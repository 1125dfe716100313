import { isIP } from 'node:net';
import { z } from 'zod';
import { OperatorIdentity } from '../messages/operator.js';
import { AccountId, AwsRegion, IsoDateTime } from '../primitives.js';
import { SeverityBand } from '../severity.js';

/** The criteria that are lists; a rule may write a single value without brackets. */
const LIST_CRITERIA = [
  'findingTypes',
  'accounts',
  'regions',
  'resources',
  'remoteIpCidrs',
  'principalArns',
] as const;

/** Wraps a single value of a list criterion in a list (`findingTypes: "Recon:*"`). */
function listsOf(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const criteria: Record<string, unknown> = { ...value };
  for (const key of LIST_CRITERIA) {
    const given = criteria[key];
    if (given !== undefined && !Array.isArray(given)) criteria[key] = [given];
  }
  return criteria;
}

const list = <T extends z.ZodType>(item: T) => z.array(item).min(1);

/** `10.0.0.0/8`, `2001:db8::/32`, or a bare address (a /32 or /128). */
const Cidr = z.string().refine(
  (value) => {
    const [address = '', prefix, ...rest] = value.split('/');
    const version = isIP(address);
    if (version === 0 || rest.length > 0) return false;
    if (prefix === undefined) return true;
    const bits = Number(prefix);
    return /^\d{1,3}$/.test(prefix) && bits <= (version === 4 ? 32 : 128);
  },
  { message: 'not an IP address or CIDR block (e.g. 10.20.0.0/16)' },
);

/**
 * `2026-12-31` (the rule stops at 00:00 UTC that day), a YAML date, or a full ISO timestamp; read as
 * the ISO timestamp. Input only (a preprocess), so answers use {@link IsoDateTime}.
 */
export const SuppressionExpiry = z.preprocess((value) => {
  if (value instanceof Date) return value.toISOString();
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00.000Z` : value;
}, IsoDateTime);

/**
 * What a rule matches on, as stored and answered: every list a list. Every criterion given must
 * match (AND); within a list, any entry may match (OR). Strict: a misspelt criterion is an error,
 * never silently ignored (an ignored criterion would make the rule suppress more than meant).
 * Shared by the rules file, the rules the operator API writes to the incident table, and the
 * proposals it builds from incidents.
 */
export const SuppressionCriteria = z
  .strictObject({
    /** Finding-type globs; `*` also crosses `/` (`Recon:*` matches `Recon:EC2/PortProbeUnprotectedPort`). */
    findingTypes: list(z.string().min(1)).optional(),
    /** Matches findings whose severity band is strictly below this band. */
    severityBelow: SeverityBand.optional(),
    accounts: list(AccountId).optional(),
    regions: list(AwsRegion).optional(),
    /**
     * Globs over the resource key (`ec2-instance:i-0abc`, `s3-bucket:logs`, `iam-access-key:role/ci`,
     * see `resourceKey`); every resource of the finding must match one.
     */
    resources: list(z.string().min(1)).optional(),
    /** Every resource of the finding must carry every tag; a value of `*` means any value. */
    resourceTags: z
      .record(z.string().min(1), z.string())
      .refine((tags) => Object.keys(tags).length > 0, { message: 'needs at least one tag' })
      .optional(),
    /** Every remote IP of the finding must lie in one of these blocks (and there must be one). */
    remoteIpCidrs: list(Cidr).optional(),
    /** Globs over the principal's IAM ARN; every principal of the finding must match one. */
    principalArns: list(z.string().min(1)).optional(),
  })
  .refine((match) => Object.values(match).some((value) => value !== undefined), {
    message: 'needs at least one criterion; a rule without one would suppress every finding',
  });
/** @see SuppressionCriteria */
export type SuppressionCriteria = z.infer<typeof SuppressionCriteria>;

/**
 * {@link SuppressionCriteria} as people write them: a list criterion may be a single value. Input
 * only (a preprocess, which cannot be encoded), so answers use `SuppressionCriteria`.
 */
export const SuppressionMatch = z.preprocess(listsOf, SuppressionCriteria);
/** @see SuppressionMatch */
export type SuppressionMatch = z.infer<typeof SuppressionMatch>;

/** A rule's name: unique, and the `rule` label of `ir_suppressions_total`. */
export const SuppressionRuleName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'letters, digits, ".", "_" and "-", at most 64');
/** @see SuppressionRuleName */
export type SuppressionRuleName = z.infer<typeof SuppressionRuleName>;

/** One suppression rule as written in the YAML file (`IR_SUPPRESSIONS_FILE`). */
export const SuppressionRule = z.strictObject({
  /** Unique; it is the `rule` label of `ir_suppressions_total` and is logged on every suppression. */
  name: SuppressionRuleName,
  /** Why the team accepts these findings, for the audit trail. */
  reason: z.string().min(1),
  expiresAt: SuppressionExpiry.optional(),
  match: SuppressionMatch,
});
/** @see SuppressionRule */
export type SuppressionRule = z.infer<typeof SuppressionRule>;

/** How long a rule written through the operator API lives when the operator does not say. */
export const SUPPRESSION_DEFAULT_DAYS = 30;
/**
 * The longest a rule written through the operator API may live. Why a bound: a suppression nobody
 * revisits silences detection for good; a rule that must outlive it belongs in the reviewed file.
 */
export const SUPPRESSION_MAX_DAYS = 90;

/** A rule with its expiry required, as the operator API proposes it (its answers carry no preprocess). */
export const ExpiringSuppressionRule = z.strictObject({
  name: SuppressionRuleName,
  reason: z.string().min(1),
  expiresAt: IsoDateTime,
  match: SuppressionCriteria,
});
/** @see ExpiringSuppressionRule */
export type ExpiringSuppressionRule = z.infer<typeof ExpiringSuppressionRule>;

/**
 * A rule stored in the incident table by the operator API (`SUPPRESSIONS` / `RULE#<name>`): an
 * expiring rule plus who wrote it (from the verified token, never from the request body), when, and
 * the incident it came from.
 */
export const StoredSuppressionRule = ExpiringSuppressionRule.extend({
  /** `by` is the label of `actor`, for people reading logs and listings. */
  author: z.strictObject({ by: z.string().min(1), actor: OperatorIdentity }),
  createdAt: IsoDateTime,
  /** The false-positive incident the rule was proposed from, when it was. */
  sourceIncidentId: z.string().min(1).max(200).optional(),
});
/** @see StoredSuppressionRule */
export type StoredSuppressionRule = z.infer<typeof StoredSuppressionRule>;
