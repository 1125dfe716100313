import { readFile } from 'node:fs/promises';
import { SuppressionMatch, SuppressionRule } from '@ir/contracts';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { SuppressionRulesError } from '../errors.js';

/** The rule schema is a contract (shared with the rules the operator API writes); re-exported for the file's users. */
export { SuppressionMatch, SuppressionRule };

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
