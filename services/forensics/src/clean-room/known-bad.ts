import { readFile } from 'node:fs/promises';
import { ConfigError } from '@ir/runtime';

const DIGEST = /^([0-9a-fA-F]{64})(?:\s+\*?(.*))?$/;

/**
 * Parses a known-bad list: one SHA-256 per line, optionally followed by a label (so `sha256sum`
 * output of a malware corpus works as is); `#` comments and blank lines are skipped. A line that is
 * neither is an error naming its number: a list silently half-read would miss what it should catch.
 */
export function parseKnownBad(text: string, source: string): Map<string, string | null> {
  const digests = new Map<string, string | null>();
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const match = DIGEST.exec(line);
    if (!match?.[1]) {
      throw new ConfigError(`${source} line ${index + 1} is not a SHA-256 digest: ${line.slice(0, 80)}`, [
        'IR_KNOWN_BAD_HASHES_FILE',
      ]);
    }
    digests.set(match[1].toLowerCase(), match[2]?.trim() || null);
  });
  return digests;
}

/** Reads `IR_KNOWN_BAD_HASHES_FILE` once at start; an empty map when none is configured. */
export async function loadKnownBad(path: string | undefined): Promise<Map<string, string | null>> {
  if (!path) return new Map();
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error: unknown) {
    throw new ConfigError(`IR_KNOWN_BAD_HASHES_FILE (${path}) cannot be read: ${String(error)}`, [
      'IR_KNOWN_BAD_HASHES_FILE',
    ]);
  }
  return parseKnownBad(text, `IR_KNOWN_BAD_HASHES_FILE (${path})`);
}
