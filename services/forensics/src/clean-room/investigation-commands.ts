import type { CollectionCommand } from '../volatile/collection-commands.js';

/** Where the evidence volumes are mounted on the analysis instance: `<root>/<volume-id>/<partition>`. */
export const MOUNT_ROOT = '/mnt/ir-clean-room';

/** Known-bad digests per command: SSM limits a command's parameters, so long lists are split. */
export const KNOWN_BAD_CHUNK = 300;

/** System paths whose executables are hashed. */
const SYSTEM_PATHS = 'bin sbin usr/bin usr/sbin usr/local/bin usr/local/sbin usr/lib/systemd lib/systemd opt';

/** Loops over the mounted file systems; `$m` is one mount point. */
const eachMount = (root: string, body: string) =>
  `for m in "${root}"/*/*; do [ -d "$m" ] || continue; ${body}; done`;

/**
 * Mounts every partition of every evidence volume read-only. EBS cannot attach a volume read-only, so
 * the block device is set read-only and mounted `ro,noload` (ext*: no journal replay) or
 * `ro,norecovery,nouuid` (XFS: no log replay, and a clone's UUID may equal the analysis root's). The
 * volumes are copies made from the snapshots, so even a write could not change the evidence itself.
 * `volumes` pairs each volume id with the device it was attached as; on Nitro it is found by its id.
 */
export function mountCommand(
  volumes: readonly { volumeId: string; device: string }[],
  root = MOUNT_ROOT,
): CollectionCommand {
  const specs = volumes.map((v) => `${v.volumeId}=${v.device}`).join(' ');
  return {
    name: 'mount-volumes',
    description: 'mount every evidence partition read-only (ro,noload / ro,norecovery)',
    script: [
      'set -u',
      `mkdir -p "${root}"`,
      `for spec in ${specs}; do`,
      '  vol=$(echo "$spec" | cut -d= -f1); dev=$(echo "$spec" | cut -d= -f2)',
      '  nvme=/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_$(echo "$vol" | tr -d -)',
      '  if [ -e "$nvme" ]; then disk=$(readlink -f "$nvme"); else disk=$(echo "$dev" | sed "s#/dev/sd#/dev/xvd#"); [ -e "$disk" ] || disk=$dev; fi',
      '  if [ ! -b "$disk" ]; then printf "missing\\t%s\\t%s\\n" "$vol" "$dev"; continue; fi',
      '  parts=$(lsblk -lnpo NAME,TYPE "$disk" | awk \'$2=="part"{print $1}\')',
      '  [ -n "$parts" ] || parts=$disk',
      '  for part in $parts; do',
      '    blockdev --setro "$part" 2>/dev/null || true',
      `    target="${root}/$vol/$(basename "$part")"; mkdir -p "$target"`,
      '    fs=$(lsblk -lnpo FSTYPE "$part" | head -n 1)',
      '    if mountpoint -q "$target"; then printf "mounted\\t%s\\t%s\\t%s\\t%s\\n" "$vol" "$part" "$target" "$fs"; continue; fi',
      '    if mount -o ro,noload "$part" "$target" 2>/dev/null || mount -o ro,norecovery,nouuid "$part" "$target" 2>/dev/null || { [ "$fs" != ext4 ] && [ "$fs" != ext3 ] && mount -o ro "$part" "$target" 2>/dev/null; }; then',
      '      printf "mounted\\t%s\\t%s\\t%s\\t%s\\n" "$vol" "$part" "$target" "$fs"',
      '    else printf "unmountable\\t%s\\t%s\\t%s\\t%s\\n" "$vol" "$part" "$target" "$fs"; rmdir "$target"; fi',
      '  done',
      'done',
    ],
  };
}

/**
 * The investigation, one command per question so one failing tool costs only its answer and each
 * output gets SSM's full stdout allowance. Outputs are sized to fit it: the newest entries first,
 * with a count line before them so a truncated listing still says how much there was.
 */
export function investigationCommands(
  options: { timelineDays: number; knownBad: readonly string[] },
  root = MOUNT_ROOT,
): CollectionCommand[] {
  const since = `since=$(date -u -d "-${options.timelineDays} days" +%Y-%m-%dT%H:%M:%SZ)`;
  const commands: CollectionCommand[] = [
    {
      name: 'timeline',
      description: `files changed in the last ${options.timelineDays} days, newest first (mtime, size, mode, owner, path)`,
      script: [
        since,
        'out=$(mktemp)',
        `${eachMount(root, `find "$m" -xdev \\( -path "$m/proc" -o -path "$m/sys" -o -path "$m/dev" \\) -prune -o -type f -newermt "$since" -printf '%T@\\t%s\\t%m\\t%u\\t%p\\n' 2>/dev/null`)} | sort -t "$(printf '\\t')" -k1,1nr > "$out"`,
        'echo "# files changed since $since: $(wc -l < "$out")"',
        'head -n 200 "$out"; rm -f "$out"',
      ],
    },
    {
      name: 'system-binary-hashes',
      description: `SHA-256 of executables in system paths changed in the last ${options.timelineDays} days`,
      script: [
        since,
        'out=$(mktemp)',
        `${eachMount(root, `for d in ${SYSTEM_PATHS}; do [ -d "$m/$d" ] && find "$m/$d" -xdev -type f -perm /111 -newermt "$since" -exec sha256sum {} + 2>/dev/null; done`)} > "$out"`,
        'echo "# changed executables hashed since $since: $(wc -l < "$out")"',
        'head -n 200 "$out"; rm -f "$out"',
      ],
    },
    {
      name: 'logs',
      description: 'tails of auth and system logs, the journal and login records',
      script: [
        eachMount(
          root,
          'for f in var/log/auth.log var/log/secure var/log/syslog var/log/messages var/log/audit/audit.log; do if [ -f "$m/$f" ]; then echo "### log $m/$f"; tail -n 40 "$m/$f"; fi; done; ' +
            'if [ -d "$m/var/log/journal" ]; then echo "### journal $m/var/log/journal"; journalctl -D "$m/var/log/journal" --no-pager -o short-iso -n 60 2>/dev/null; fi; ' +
            'if [ -f "$m/var/log/wtmp" ]; then echo "### logins $m/var/log/wtmp"; last -F -f "$m/var/log/wtmp" 2>/dev/null | head -n 30; fi',
        ),
      ],
    },
    {
      name: 'persistence',
      description:
        'cron, systemd units, authorized_keys, rc.local, ld.so.preload, sudoers.d (comments dropped)',
      script: [
        'show() { [ -f "$2" ] || return 0; printf "### %s\\t%s\\n" "$1" "$2"; grep -v -E "^[[:space:]]*(#|$)" "$2" 2>/dev/null | head -n 40; }',
        eachMount(
          root,
          'for f in "$m"/etc/crontab "$m"/etc/cron.d/* "$m"/var/spool/cron/* "$m"/var/spool/cron/crontabs/*; do show cron "$f"; done; ' +
            'for f in "$m"/etc/systemd/system/*.service "$m"/etc/systemd/system/*.timer "$m"/etc/systemd/system/*/*.service; do show systemd "$f"; done; ' +
            'for f in "$m"/root/.ssh/authorized_keys* "$m"/home/*/.ssh/authorized_keys*; do show authorized_keys "$f"; done; ' +
            'show rc_local "$m/etc/rc.local"; show ld_preload "$m/etc/ld.so.preload"; ' +
            'for f in "$m"/etc/sudoers.d/*; do show sudoers "$f"; done',
        ),
      ],
    },
  ];
  for (let start = 0; start < options.knownBad.length; start += KNOWN_BAD_CHUNK) {
    const chunk = options.knownBad.slice(start, start + KNOWN_BAD_CHUNK);
    commands.push({
      name: `known-bad-scan-${start / KNOWN_BAD_CHUNK + 1}`,
      description: `every executable in system paths hashed and compared with ${chunk.length} known-bad digest(s); matching lines only`,
      script: [
        'bad=$(mktemp)',
        `printf '%s\\n' ${chunk.join(' ')} > "$bad"`,
        `${eachMount(root, `for d in ${SYSTEM_PATHS} tmp var/tmp dev/shm root home; do [ -d "$m/$d" ] && find "$m/$d" -xdev -type f -perm /111 -exec sha256sum {} + 2>/dev/null; done`)} | grep -F -f "$bad" || true`,
        'rm -f "$bad"',
      ],
    });
  }
  return commands;
}
