import { z } from 'zod';

/** The tag that marks a resource as protected: containing it needs two approvers (TRAPS 22). */
export interface ProtectedTag {
  readonly key: string;
  readonly value: string;
}

/** `IR_PROTECTED_TAG` as every service reads it: `key=value`, `ir:protected=true` by default. */
export const ProtectedTagSetting = z
  .string()
  .regex(/^[^=]+=.*$/, 'must be key=value, e.g. ir:protected=true')
  .default('ir:protected=true');

/** `key=value` split at the first `=` (a value may contain `=`). */
export function parseProtectedTag(setting: string): ProtectedTag {
  const separator = setting.indexOf('=');
  return { key: setting.slice(0, separator), value: setting.slice(separator + 1) };
}

/**
 * The protected tag as `tags` hold it (`IR:Protected=TRUE`), or undefined. Keys and values are
 * compared without regard to case: `IR:Protected=TRUE` was meant as protected by whoever wrote it, and
 * a fail-open compare is the one mistake a protection must not make. Values are trimmed for the same
 * reason.
 */
export function protectedTagIn(
  tags: Readonly<Record<string, string | undefined>>,
  tag: ProtectedTag,
): string | undefined {
  const key = tag.key.toLowerCase();
  const value = tag.value.trim().toLowerCase();
  for (const [k, v] of Object.entries(tags)) {
    if (k.toLowerCase() === key && (v ?? '').trim().toLowerCase() === value) return `${k}=${v ?? ''}`;
  }
  return undefined;
}
