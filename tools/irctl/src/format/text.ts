/**
 * Text from findings, incidents and dead-lettered messages is attacker-influenced (a finding's title,
 * a tag, an injected body). Control characters in it could move the cursor or rewrite the operator's
 * terminal (ANSI escapes), so every such value is made printable before it reaches a table.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** `value` as one printable line: control and bidi characters shown as `\uXXXX`. */
export function printable(value: unknown): string {
  const text = typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
  return text.replace(CONTROL, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** `text` cut to `max` characters, with an ellipsis when cut. */
export function truncate(text: string, max: number): string {
  if (max < 2 || text.length <= max) return text;
  return `${text.slice(0, max - 1)}…`;
}

/** A compact one-line rendering of a value (objects as `key=value` pairs), printable and cut to `max`. */
export function compact(value: unknown, max = 160): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'object') return truncate(printable(value), max);
  const text = Object.entries(value as Record<string, unknown>)
    .map(([key, item]) => `${key}=${typeof item === 'string' ? item : JSON.stringify(item)}`)
    .join(' ');
  return truncate(printable(text), max);
}

/** JSON for `--json` output: two-space indented, stable for scripts (`jq`). */
export function toJson(value: unknown): string {
  return JSON.stringify(value, null, 2);
}
