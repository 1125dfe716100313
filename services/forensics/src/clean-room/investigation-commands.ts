import { KNOWN_BAD_PER_COMMAND, SsmDocumentKey } from '@ir/ssm-documents';
import type { CollectionCommand } from '../volatile/collection-commands.js';

/** Known-bad digests per command: the `knownBad` parameter of CleanRoomAnalysis admits this many. */
export const KNOWN_BAD_CHUNK = KNOWN_BAD_PER_COMMAND;

const analysis = (
  name: string,
  description: string,
  parameters: Readonly<Record<string, string>>,
): CollectionCommand => ({ name, description, document: SsmDocumentKey.cleanRoomAnalysis, parameters });

/**
 * Mounts every partition of every evidence volume read-only (`CleanRoomAnalysis`, analysis
 * `mount-volumes`): the block device is set read-only and mounted `ro,noload` / `ro,norecovery`. The
 * volumes are copies made from the snapshots, so even a write could not change the evidence itself.
 * `volumes` pairs each volume id with the device it was attached as; on Nitro it is found by its id.
 */
export function mountCommand(volumes: readonly { volumeId: string; device: string }[]): CollectionCommand {
  const specs = volumes.map((v) => `${v.volumeId}=${v.device}`).join(' ');
  return analysis('mount-volumes', 'mount every evidence partition read-only (ro,noload / ro,norecovery)', {
    analysis: 'mount-volumes',
    volumes: specs === '' ? 'none' : specs,
  });
}

/**
 * The investigation, one command per question (each an analysis of `CleanRoomAnalysis`) so one
 * failing tool costs only its answer and each output gets SSM's full stdout allowance. Known-bad
 * digests go in chunks the document's `knownBad` parameter admits.
 */
export function investigationCommands(options: {
  timelineDays: number;
  knownBad: readonly string[];
}): CollectionCommand[] {
  const days = String(options.timelineDays);
  const commands: CollectionCommand[] = [
    analysis(
      'timeline',
      `files changed in the last ${days} days, newest first (mtime, size, mode, owner, path)`,
      { analysis: 'timeline', timelineDays: days },
    ),
    analysis(
      'system-binary-hashes',
      `SHA-256 of executables in system paths changed in the last ${days} days`,
      { analysis: 'system-binary-hashes', timelineDays: days },
    ),
    analysis('logs', 'tails of auth and system logs, the journal and login records', { analysis: 'logs' }),
    analysis(
      'persistence',
      'cron, systemd units, authorized_keys, rc.local, ld.so.preload, sudoers.d (comments dropped)',
      { analysis: 'persistence' },
    ),
  ];
  for (let start = 0; start < options.knownBad.length; start += KNOWN_BAD_CHUNK) {
    const chunk = options.knownBad.slice(start, start + KNOWN_BAD_CHUNK);
    commands.push(
      analysis(
        `known-bad-scan-${start / KNOWN_BAD_CHUNK + 1}`,
        `every executable in system paths hashed and compared with ${chunk.length} known-bad digest(s); matching lines only`,
        { analysis: 'known-bad-scan', knownBad: chunk.join(' ') },
      ),
    );
  }
  return commands;
}
