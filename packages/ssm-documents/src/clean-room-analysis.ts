import { caseScript, type SsmCommandDocument, shellDocument } from './document.js';
import { oneOf, orNone } from './patterns.js';

/** Where the evidence volumes are mounted on the analysis instance: `<root>/<volume-id>/<partition>`. */
export const MOUNT_ROOT = '/mnt/ir-clean-room';

/** Known-bad digests per command: the `knownBad` parameter admits at most this many. */
export const KNOWN_BAD_PER_COMMAND = 300;

/** Evidence volumes per command: the `volumes` parameter admits at most this many. */
export const VOLUMES_PER_COMMAND = 40;

/** The analyses of `CleanRoomAnalysis`, each one command. */
export const CLEAN_ROOM_ANALYSES = [
  'mount-volumes',
  'timeline',
  'system-binary-hashes',
  'logs',
  'persistence',
  'known-bad-scan',
] as const;
export type CleanRoomAnalysis = (typeof CLEAN_ROOM_ANALYSES)[number];

/** System paths whose executables are hashed. */
const SYSTEM_PATHS = 'bin sbin usr/bin usr/sbin usr/local/bin usr/local/sbin usr/lib/systemd lib/systemd opt';

/** Loops over the mounted file systems; `$m` is one mount point. */
const eachMount = (root: string, body: string) =>
  `for m in "${root}"/*/*; do [ -d "$m" ] || continue; ${body}; done`;

const SINCE = 'since=$(date -u -d "-$p_timelinedays days" +%Y-%m-%dT%H:%M:%SZ)';

/**
 * The scripts, rooted at `root` (the document always uses {@link MOUNT_ROOT}; the parser fixtures
 * run them on a temporary directory). Outputs are sized to SSM's stdout allowance: newest entries
 * first, with a count line before them so a truncated listing still says how much there was.
 */
export function cleanRoomScripts(root = MOUNT_ROOT): Readonly<Record<CleanRoomAnalysis, readonly string[]>> {
  return {
    // EBS cannot attach a volume read-only: the block device is set read-only and mounted `ro,noload`
    // (ext*: no journal replay) or `ro,norecovery,nouuid` (XFS: no log replay; a clone's UUID may
    // equal the analysis root's). On Nitro a volume's device is found by its id.
    'mount-volumes': [
      'set -u',
      'if [ "$p_volumes" = none ]; then p_volumes=""; fi',
      `mkdir -p "${root}"`,
      'for spec in $p_volumes; do',
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
    timeline: [
      SINCE,
      'out=$(mktemp)',
      `${eachMount(root, `find "$m" -xdev \\( -path "$m/proc" -o -path "$m/sys" -o -path "$m/dev" \\) -prune -o -type f -newermt "$since" -printf '%T@\\t%s\\t%m\\t%u\\t%p\\n' 2>/dev/null`)} | sort -t "$(printf '\\t')" -k1,1nr > "$out"`,
      'echo "# files changed since $since: $(wc -l < "$out")"',
      'head -n 200 "$out"; rm -f "$out"',
    ],
    'system-binary-hashes': [
      SINCE,
      'out=$(mktemp)',
      `${eachMount(root, `for d in ${SYSTEM_PATHS}; do [ -d "$m/$d" ] && find "$m/$d" -xdev -type f -perm /111 -newermt "$since" -exec sha256sum {} + 2>/dev/null; done`)} > "$out"`,
      'echo "# changed executables hashed since $since: $(wc -l < "$out")"',
      'head -n 200 "$out"; rm -f "$out"',
    ],
    logs: [
      eachMount(
        root,
        'for f in var/log/auth.log var/log/secure var/log/syslog var/log/messages var/log/audit/audit.log; do if [ -f "$m/$f" ]; then echo "### log $m/$f"; tail -n 40 "$m/$f"; fi; done; ' +
          'if [ -d "$m/var/log/journal" ]; then echo "### journal $m/var/log/journal"; journalctl -D "$m/var/log/journal" --no-pager -o short-iso -n 60 2>/dev/null; fi; ' +
          'if [ -f "$m/var/log/wtmp" ]; then echo "### logins $m/var/log/wtmp"; last -F -f "$m/var/log/wtmp" 2>/dev/null | head -n 30; fi',
      ),
    ],
    persistence: [
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
    'known-bad-scan': [
      '[ "$p_knownbad" != none ] || { echo "error=no known-bad digests given" >&2; exit 2; }',
      'bad=$(mktemp)',
      `printf '%s\\n' $p_knownbad > "$bad"`,
      `${eachMount(root, `for d in ${SYSTEM_PATHS} tmp var/tmp dev/shm root home; do [ -d "$m/$d" ] && find "$m/$d" -xdev -type f -perm /111 -exec sha256sum {} + 2>/dev/null; done`)} | grep -F -f "$bad" || true`,
      'rm -f "$bad"',
    ],
  };
}

/** A volume and the device it is attached as: `vol-0123abcd=/dev/sdf`. */
const VOLUME_SPEC = 'vol-[0-9a-f]{8,17}=/dev/(sd|xvd)[a-z]{1,2}';
const DIGEST = '[0-9a-f]{64}';

/**
 * `CleanRoomAnalysis`: on the analysis instance (never a suspect), mount the evidence copies
 * read-only or answer one question about them. Only what varies is a parameter: which analysis, the
 * volumes, the timeline window and the known-bad digests.
 */
export function cleanRoomAnalysisDocument(): SsmCommandDocument {
  return shellDocument(
    'Incident response: mount evidence volumes read-only on the clean-room instance, or run one analysis of them',
    {
      analysis: {
        type: 'String',
        description: `The analysis: ${CLEAN_ROOM_ANALYSES.join(', ')}`,
        default: 'mount-volumes',
        allowedPattern: oneOf(CLEAN_ROOM_ANALYSES),
      },
      volumes: {
        type: 'String',
        description: 'Space-separated <volume-id>=<device> of the evidence volumes (mount-volumes)',
        default: 'none',
        allowedPattern: orNone(`${VOLUME_SPEC}( ${VOLUME_SPEC}){0,${VOLUMES_PER_COMMAND - 1}}`),
      },
      timelineDays: {
        type: 'String',
        description: 'Files changed in the last this many days (timeline, system-binary-hashes)',
        default: '30',
        allowedPattern: '^[1-9][0-9]{0,3}$',
      },
      knownBad: {
        type: 'String',
        description: `Space-separated lowercase SHA-256 digests, at most ${KNOWN_BAD_PER_COMMAND} (known-bad-scan)`,
        default: 'none',
        allowedPattern: orNone(`${DIGEST}( ${DIGEST}){0,${KNOWN_BAD_PER_COMMAND - 1}}`),
      },
    },
    caseScript('p_analysis', cleanRoomScripts()),
  );
}
