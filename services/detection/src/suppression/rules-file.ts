import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { AccountId, AwsRegion, IsoDateTime, SeverityBand } from '@ir/contracts';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { SuppressionRulesError } from '../errors.js';

/** A list, or a single value written without brackets. */
const oneOrMany = <T extends z.ZodType>(item: T) =>
  z.union([item, z.array(item).min(1)]).transform((value) => (Array.isArray(value) ? value : [value]));

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

/** `2026-12-31` (the rule stops at 00:00 UTC that day) or a full ISO timestamp. */
const Expiry = z.preprocess(
  (value) => (value instanceof Date ? value.toISOString() : value),
  z.union([z.iso.date().transform((day) => `${day}T00:00:00.000Z`), IsoDateTime]),
);

/**
 * What a rule matches on. Every criterion given must match (AND); within a list, any entry may
 * match (OR). Strict: a misspelt criterion is an error, never silently ignored (an ignored
 * criterion would make the rule suppress more than meant).
 */
export const SuppressionMatch = z
  .strictObject({
    /** Finding-type globs; `*` also crosses `/` (`Recon:*` matches `Recon:EC2/PortProbeUnprotectedPort`). */
    findingTypes: oneOrMany(z.string().min(1)).optional(),
    /** Matches findings whose severity band is strictly below this band. */
    severityBelow: SeverityBand.optional(),
    accounts: oneOrMany(AccountId).optional(),
    regions: oneOrMany(AwsRegion).optional(),
    /** Every resource of the finding must carry every tag; a value of `*` means any value. */
    resourceTags: z
      .record(z.string().min(1), z.string())
      .refine((tags) => Object.keys(tags).length > 0, { message: 'needs at least one tag' })
      .optional(),
    /** Every remote IP of the finding must lie in one of these blocks (and there must be one). */
    remoteIpCidrs: oneOrMany(Cidr).optional(),
    /** Globs over the principal's IAM ARN; every principal of the finding must match one. */
    principalArns: oneOrMany(z.string().min(1)).optional(),
  })
  .refine((match) => Object.values(match).some((value) => value !== undefined), {
    message: 'needs at least one criterion; a rule without one would suppress every finding',
  });
/** @see SuppressionMatch */
export type SuppressionMatch = z.infer<typeof SuppressionMatch>;

/** One suppression rule as written in the YAML file. */
export const SuppressionRule = z.strictObject({
  /** Unique; it is the `rule` label of `ir_suppressions_total` and is logged on every suppression. */
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'letters, digits, ".", "_" and "-", at most 64'),
  /** Why the team accepts these findings, for the audit trail. */
  reason: z.string().min(1),
  expiresAt: Expiry.optional(),
  match: SuppressionMatch,
});
/** @see SuppressionRule */
export type SuppressionRule = z.infer<typeof SuppressionRule>;

/** The whole file: `rules: [...]`. */
export const SuppressionRulesFile = z
  .strictObject({ rules: z.array(SuppressionRule).default([]) })
  .superRefine((file, context) => {
    const seen = new Set<string>();
    file.rules.forEach((rule, index) => {
      if (seen.has(rule.name)) {
        context.addIssue({
          code: 'custom',
          path: ['rules', index, 'name'],
          message: 'is used by an earlier rule',
        });
      }
      seen.add(rule.name);
    });
  });
/** @see SuppressionRulesFile */
export type SuppressionRulesFile = z.infer<typeof SuppressionRulesFile>;

/**
 * Parses and validates suppression rules from YAML text. Errors name the file, the rule (by name
 * when it has one, else by position) and the field, e.g.
 * `rule "scanners" (rules[0]) match.remoteIpCidrs[1]: not an IP address or CIDR block`.
 */
export function parseSuppressionRules(text: string, origin: string): SuppressionRule[] {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error: unknown) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new SuppressionRulesError(`IR_SUPPRESSIONS_FILE ${origin}: not valid YAML: ${detail}`, {
      cause: error,
    });
  }
  const parsed = SuppressionRulesFile.safeParse(document ?? {});
  if (parsed.success) return parsed.data.rules;
  const problems = parsed.error.issues.map((issue) => describeIssue(document, issue.path, issue.message));
  throw new SuppressionRulesError(`IR_SUPPRESSIONS_FILE ${origin}: ${problems.join('; ')}`, {
    context: { file: origin },
  });
}

/** Reads and validates the rules file; a missing or unreadable file is an error, never "no rules". */
export async function loadSuppressionRules(path: string): Promise<SuppressionRule[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error: unknown) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new SuppressionRulesError(`IR_SUPPRESSIONS_FILE ${path}: cannot be read: ${detail}`, {
      cause: error,
    });
  }
  return parseSuppressionRules(text, path);
}

function describeIssue(document: unknown, path: readonly PropertyKey[], message: string): string {
  if (path[0] !== 'rules' || typeof path[1] !== 'number') {
    return `${fieldPath(path) || '(file)'}: ${message}`;
  }
  const index = path[1];
  const rules = (document as { rules?: unknown } | null)?.rules;
  const raw = Array.isArray(rules) ? (rules[index] as { name?: unknown } | undefined) : undefined;
  const label = typeof raw?.name === 'string' ? `rule "${raw.name}" (rules[${index}])` : `rules[${index}]`;
  const field = fieldPath(path.slice(2));
  return `${label} ${field || '(rule)'}: ${message}`;
}

function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, segment) => {
    if (typeof segment === 'number') return `${out}[${segment}]`;
    return out === '' ? String(segment) : `${out}.${String(segment)}`;
  }, '');
}
