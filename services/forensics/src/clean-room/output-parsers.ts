/**
 * Parsers of the investigation commands' outputs (see investigation-commands.ts for the formats).
 * Pure, and unit-tested on outputs recorded by running the commands' scripts on a prepared tree,
 * because the emulator's SSM reports success with empty output.
 */

/** One mounted (or unmountable) file system of an evidence volume. */
export interface MountLine {
  readonly status: 'mounted' | 'unmountable' | 'missing';
  readonly volumeId: string;
  readonly device: string;
  readonly mountPoint: string | null;
  readonly fsType: string | null;
}

/** `mounted\tvol\tpart\ttarget\tfs` lines of the mount command. */
export function parseMounts(output: string): MountLine[] {
  const lines: MountLine[] = [];
  for (const line of output.split('\n')) {
    const [status, volumeId, device, mountPoint, fsType] = line.split('\t');
    if ((status !== 'mounted' && status !== 'unmountable' && status !== 'missing') || !volumeId || !device)
      continue;
    lines.push({ status, volumeId, device, mountPoint: mountPoint || null, fsType: fsType || null });
  }
  return lines;
}

/** One file of the timeline. */
export interface TimelineEntry {
  readonly modifiedAt: string;
  readonly size: number;
  readonly mode: string;
  readonly owner: string;
  readonly path: string;
}

/** The timeline: how many files changed in the window (even when the listing was cut), and the newest. */
export interface Timeline {
  readonly total: number | null;
  readonly since: string | null;
  readonly entries: TimelineEntry[];
}

const COUNT_LINE = /^# .* since (\S+): (\d+)$/;

/** `find -printf '%T@\t%s\t%m\t%u\t%p'` lines under a `# files changed since X: N` line. */
export function parseTimeline(output: string): Timeline {
  let total: number | null = null;
  let since: string | null = null;
  const entries: TimelineEntry[] = [];
  for (const line of output.split('\n')) {
    const count = COUNT_LINE.exec(line);
    if (count?.[1] && count[2]) {
      since = count[1];
      total = Number(count[2]);
      continue;
    }
    const fields = line.split('\t');
    if (fields.length < 5) continue;
    const [epoch, size, mode, owner] = fields;
    const seconds = Number(epoch);
    if (!Number.isFinite(seconds) || !/^\d+$/.test(size ?? '') || !/^[0-7]{3,4}$/.test(mode ?? '')) continue;
    entries.push({
      modifiedAt: new Date(seconds * 1000).toISOString(),
      size: Number(size),
      mode: mode as string,
      owner: owner ?? '',
      // A path may itself contain tabs: everything after the fourth field is the path.
      path: fields.slice(4).join('\t'),
    });
  }
  return { total, since, entries };
}

/** One `sha256sum` line. */
export interface HashLine {
  readonly sha256: string;
  readonly path: string;
}

// sha256sum escapes names with `\` or a newline by prefixing the line with a backslash.
const HASH_LINE = /^\\?([0-9a-fA-F]{64}) [ *](.+)$/;

/** `sha256sum` output (text or binary mode, escaped names), comment lines skipped. */
export function parseHashes(output: string): { count: number | null; hashes: HashLine[] } {
  let count: number | null = null;
  const hashes: HashLine[] = [];
  for (const line of output.split('\n')) {
    const total = COUNT_LINE.exec(line);
    if (total?.[2]) {
      count = Number(total[2]);
      continue;
    }
    const match = HASH_LINE.exec(line);
    if (match?.[1] && match[2]) hashes.push({ sha256: match[1].toLowerCase(), path: match[2] });
  }
  return { count, hashes };
}

/** A hashed file whose digest is on the known-bad list. */
export interface KnownBadMatch extends HashLine {
  /** The list's label for the digest (a malware name), when it gave one. */
  readonly label: string | null;
}

/** Hashed files whose digest is known bad, each path once. */
export function matchKnownBad(
  hashes: readonly HashLine[],
  knownBad: ReadonlyMap<string, string | null>,
): KnownBadMatch[] {
  const seen = new Set<string>();
  const matches: KnownBadMatch[] = [];
  for (const hash of hashes) {
    if (!knownBad.has(hash.sha256) || seen.has(hash.path)) continue;
    seen.add(hash.path);
    matches.push({ ...hash, label: knownBad.get(hash.sha256) ?? null });
  }
  return matches;
}

/** Kinds of persistence location the persistence command lists. */
export const PersistenceKind = [
  'cron',
  'systemd',
  'authorized_keys',
  'rc_local',
  'ld_preload',
  'sudoers',
] as const;
export type PersistenceKind = (typeof PersistenceKind)[number];

/** One persistence location that exists on the disk, with its effective lines. */
export interface PersistenceEntry {
  readonly kind: PersistenceKind;
  readonly path: string;
  readonly lines: string[];
}

const HEADER = /^### (\S+)\t(.+)$/;

/** `### <kind>\t<path>` headers, each followed by the file's non-comment lines. */
export function parsePersistence(output: string): PersistenceEntry[] {
  const entries: PersistenceEntry[] = [];
  let current: PersistenceEntry | undefined;
  for (const line of output.split('\n')) {
    const header = HEADER.exec(line);
    if (header?.[1] && header[2]) {
      const kind = header[1] as PersistenceKind;
      current = PersistenceKind.includes(kind) ? { kind, path: header[2], lines: [] } : undefined;
      if (current) entries.push(current);
      continue;
    }
    if (current && line.trim() !== '') current.lines.push(line);
  }
  return entries;
}
