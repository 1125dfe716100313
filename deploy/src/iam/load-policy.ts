import { existsSync, readFileSync } from 'node:fs';
import type { PolicyJson } from './policy-json.js';

/** A policy document and where it came from, so the stack and the README can say which was used. */
export interface LoadedPolicy {
  /** The document as written, placeholders (`${EvidenceBucket}`…) unresolved. */
  readonly json: PolicyJson;
  /** The file it was read from, or `fallback` for the policy written in deploy/. */
  readonly source: string;
}

/** Raised when a policy file exists but is not a usable IAM policy: never fall back silently. */
export class PolicyFileError extends Error {
  override readonly name = 'PolicyFileError';
}

/**
 * Reads a service's IAM policy from docs/iam (written next to the service's code, so it is reviewed
 * with it) and falls back to the policy in deploy/ only when the file does not exist. A file that
 * exists but does not parse, or grants nothing, stops synthesis: deploying with a different policy
 * than the reviewed one would be a silent change of permissions.
 */
export function loadPolicy(path: string, fallback: PolicyJson): LoadedPolicy {
  if (!existsSync(path)) {
    return { json: fallback, source: 'fallback' };
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error: unknown) {
    throw new PolicyFileError(
      `${path} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (!isPolicyJson(json)) {
    throw new PolicyFileError(`${path} is not an IAM policy document with at least one Allow statement`);
  }
  return { json, source: path };
}

function isPolicyJson(value: unknown): value is PolicyJson {
  if (typeof value !== 'object' || value === null) return false;
  const statements = (value as { Statement?: unknown }).Statement;
  return (
    Array.isArray(statements) &&
    statements.some(
      (statement: unknown) =>
        typeof statement === 'object' &&
        statement !== null &&
        (statement as { Effect?: unknown }).Effect === 'Allow' &&
        'Action' in statement &&
        'Resource' in statement,
    )
  );
}

/** Placeholders that name resources of the security account; statements using them stay out of member roles. */
export const HOME_ACCOUNT_PLACEHOLDERS = [
  'SecurityAccountId',
  'EvidenceBucket',
  'EvidenceKmsKeyId',
  'MemberRoleName',
] as const;

/**
 * Replaces `${Name}` placeholders of a policy file (docs/iam writes `${EvidenceBucket}`,
 * `${SecurityAccountId}`…) with deployment values, which may be CDK tokens. A placeholder without a
 * value stops synthesis, as does a hard-coded `ir-` queue name under another prefix: either would
 * deploy a policy that silently grants the wrong resources.
 */
export function resolvePlaceholders(
  json: PolicyJson,
  values: Readonly<Record<string, string>>,
  options: { readonly prefix: string; readonly source: string },
): PolicyJson {
  const text = JSON.stringify(json);
  if (options.prefix !== 'ir' && /:ir-[a-z]/.test(text)) {
    throw new PolicyFileError(
      `${options.source} names resources with the prefix "ir-" but the deployment prefix is "${options.prefix}"; write \${Prefix} in the file`,
    );
  }
  const resolved = text.replace(/\$\{([A-Za-z]+)\}/g, (placeholder, name: string) => {
    const value = name === 'Prefix' ? options.prefix : values[name];
    if (value === undefined) throw new PolicyFileError(`${options.source}: no value for ${placeholder}`);
    return JSON.stringify(value).slice(1, -1);
  });
  return JSON.parse(resolved) as PolicyJson;
}

/** The statements of a policy that act in any account: those naming no security-account resource. */
export function memberAccountStatements(json: PolicyJson): PolicyJson {
  return {
    Version: json.Version,
    Statement: json.Statement.filter((statement) => {
      const text = JSON.stringify(statement);
      return !HOME_ACCOUNT_PLACEHOLDERS.some((name) => text.includes(`\${${name}}`));
    }),
  };
}
