/**
 * Compiles a finding-type pattern: `*` matches any run of characters (slashes included), `?` one
 * character, everything else is literal; case-insensitive. Why not a path glob: finding types are
 * not paths (`Backdoor:EC2/C&CActivity.B!DNS`, Security Hub's `TTPs/Command and Control/…`), and
 * `!`, braces or extglobs in them must not change the meaning of a pattern.
 */
export function compileGlob(pattern: string): (value: string) => boolean {
  const source = [...pattern]
    .map((char) => {
      if (char === '*') return '.*';
      if (char === '?') return '.';
      return char.replace(/[.+^${}()|[\]\\/-]/g, '\\$&');
    })
    .join('');
  const regex = new RegExp(`^${source}$`, 'is');
  return (value) => regex.test(value);
}

/** True when `value` matches any of `patterns`. */
export function matchesAny(patterns: readonly string[], value: string): boolean {
  return patterns.some((pattern) => compileGlob(pattern)(value));
}
