import { caseScript, type SsmCommandDocument, shellDocument } from './document.js';
import { oneOf } from './patterns.js';

/**
 * What `CollectVolatile` can collect, each a fixed read-only script run as its own command (so one
 * failing tool does not cost the others and each output gets SSM's full stdout allowance). Only
 * tools already on the host, with fallbacks; nothing is installed, downloaded or written (TRAPS 13).
 */
export const VOLATILE_COLLECTIONS = {
  processes: ['ps auxwwf 2>/dev/null || ps aux'],
  'network-connections': [
    'ss -tanupe 2>/dev/null || netstat -tanup 2>/dev/null || cat /proc/net/tcp /proc/net/udp',
  ],
  'logged-in-users': ['who -a 2>/dev/null', 'echo "--- last"', 'last -F -n 50 2>/dev/null || true'],
  'system-journal': [
    "journalctl --since '-2h' --no-pager -o short-iso 2>/dev/null | tail -n 400 || tail -n 400 /var/log/syslog /var/log/messages 2>/dev/null",
  ],
  'network-configuration': [
    'ip addr 2>/dev/null || ifconfig -a',
    'echo "--- routes"; ip route 2>/dev/null || route -n',
    'echo "--- neighbours"; ip neigh 2>/dev/null || arp -an',
    'echo "--- resolv.conf"; cat /etc/resolv.conf',
    'echo "--- iptables"; iptables-save 2>/dev/null || true',
  ],
} as const satisfies Record<string, readonly string[]>;

/** A collection `CollectVolatile` runs. */
export type VolatileCollection = keyof typeof VOLATILE_COLLECTIONS;

/** Every collection, in the order forensics runs them. */
export const VOLATILE_COLLECTION_NAMES = Object.keys(VOLATILE_COLLECTIONS) as VolatileCollection[];

/** `CollectVolatile`: one read-only collection of volatile data, chosen from a closed list. */
export function collectVolatileDocument(): SsmCommandDocument {
  return shellDocument(
    'Incident response: collect one kind of volatile data (read-only, tools already on the host)',
    {
      collection: {
        type: 'String',
        description: `What to collect: ${VOLATILE_COLLECTION_NAMES.join(', ')}`,
        default: 'processes',
        allowedPattern: oneOf(VOLATILE_COLLECTION_NAMES),
      },
    },
    caseScript('p_collection', VOLATILE_COLLECTIONS),
  );
}
