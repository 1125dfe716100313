/**
 * Templates in step params and notes: `${finding.type}` is replaced by the variable's value;
 * `${principal.accessKeyId?}` may be absent (the key or element is then left out, or an empty string
 * inside a longer text). A value that is exactly one placeholder keeps its type (numbers stay numbers).
 */

const placeholderPattern = /\$\{([A-Za-z][A-Za-z0-9.]*)(\?)?\}/g;
const wholePattern = /^\$\{([A-Za-z][A-Za-z0-9.]*)(\?)?\}$/;

/** A placeholder found in a template, and where (path inside the templated value). */
export interface TemplateReference {
  readonly name: string;
  readonly optional: boolean;
  readonly path: readonly (string | number)[];
}

/** Looks a variable up; `undefined` means the finding does not have it. */
export type Resolve = (name: string) => unknown;

/** The rendered value, or the first required variable that was missing. */
export type RenderResult = { ok: true; value: unknown } | { ok: false; missing: string };

const absent = Symbol('absent');

class MissingVariable extends Error {
  constructor(readonly variable: string) {
    super(`missing ${variable}`);
  }
}

/** Every placeholder in `value` (strings, arrays and objects, recursively). */
export function templateReferences(
  value: unknown,
  path: readonly (string | number)[] = [],
): TemplateReference[] {
  if (typeof value === 'string') {
    return [...value.matchAll(placeholderPattern)].map((match) => ({
      name: match[1] ?? '',
      optional: match[2] === '?',
      path,
    }));
  }
  if (Array.isArray(value)) return value.flatMap((element, i) => templateReferences(element, [...path, i]));
  if (isRecord(value)) {
    return Object.entries(value).flatMap(([key, element]) => templateReferences(element, [...path, key]));
  }
  return [];
}

/** Renders every placeholder in `value` with `resolve`. Pure: `value` is not modified. */
export function renderTemplate(value: unknown, resolve: Resolve): RenderResult {
  try {
    const rendered = renderValue(value, resolve);
    return { ok: true, value: rendered === absent ? undefined : rendered };
  } catch (error: unknown) {
    if (error instanceof MissingVariable) return { ok: false, missing: error.variable };
    throw error;
  }
}

function renderValue(value: unknown, resolve: Resolve): unknown {
  if (typeof value === 'string') return renderString(value, resolve);
  if (Array.isArray(value)) {
    return value.map((element) => renderValue(element, resolve)).filter((element) => element !== absent);
  }
  if (isRecord(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, element] of Object.entries(value)) {
      const rendered = renderValue(element, resolve);
      if (rendered !== absent) out[key] = rendered;
    }
    return out;
  }
  return value;
}

function renderString(text: string, resolve: Resolve): unknown {
  const whole = wholePattern.exec(text);
  if (whole) {
    const name = whole[1] ?? '';
    const resolved = resolve(name);
    if (resolved !== undefined) return resolved;
    if (whole[2] === '?') return absent;
    throw new MissingVariable(name);
  }
  return text.replace(placeholderPattern, (_match, name: string, optional: string | undefined) => {
    const resolved = resolve(name);
    if (resolved !== undefined) return String(resolved);
    if (optional === '?') return '';
    throw new MissingVariable(name);
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
