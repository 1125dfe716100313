/** One read-only collection run on the host through AWS-RunShellScript. */
export interface CollectionCommand {
  /** Artifact name (`volatile/<name>.txt`) and label. */
  readonly name: string;
  readonly description: string;
  readonly script: readonly string[];
}

/**
 * What is collected, each as its own command so one failing tool does not cost the others and each
 * output gets SSM's full 24,000-character stdout allowance. Only tools already on the host are used,
 * with fallbacks; nothing is installed, downloaded or written to disk (TRAPS 13).
 */
export const COLLECTION_COMMANDS: readonly CollectionCommand[] = [
  {
    name: 'processes',
    description: 'running processes with full command lines',
    script: ['ps auxwwf 2>/dev/null || ps aux'],
  },
  {
    name: 'network-connections',
    description: 'sockets with owning processes',
    script: ['ss -tanupe 2>/dev/null || netstat -tanup 2>/dev/null || cat /proc/net/tcp /proc/net/udp'],
  },
  {
    name: 'logged-in-users',
    description: 'sessions now and recent logins',
    script: ['who -a 2>/dev/null', 'echo "--- last"', 'last -F -n 50 2>/dev/null || true'],
  },
  {
    name: 'system-journal',
    description: 'the last two hours of the system journal (tail)',
    script: [
      "journalctl --since '-2h' --no-pager -o short-iso 2>/dev/null | tail -n 400 || tail -n 400 /var/log/syslog /var/log/messages 2>/dev/null",
    ],
  },
  {
    name: 'network-configuration',
    description: 'addresses, routes, neighbours, resolvers, firewall rules',
    script: [
      'ip addr 2>/dev/null || ifconfig -a',
      'echo "--- routes"; ip route 2>/dev/null || route -n',
      'echo "--- neighbours"; ip neigh 2>/dev/null || arp -an',
      'echo "--- resolv.conf"; cat /etc/resolv.conf',
      'echo "--- iptables"; iptables-save 2>/dev/null || true',
    ],
  },
];

/**
 * Looks for a memory acquisition tool already on the host. Prints `tool=avml:<path>`,
 * `tool=lime:<path>` or `tool=none`; never fetches one.
 */
export const MEMORY_TOOL_PROBE: CollectionCommand = {
  name: 'memory-tool-probe',
  description: 'which memory acquisition tool is already installed',
  script: [
    'if p=$(command -v avml 2>/dev/null); then echo "tool=avml:$p";',
    'elif p=$(find /lib/modules/$(uname -r) /opt /usr/local -name "lime*.ko" 2>/dev/null | head -n 1) && [ -n "$p" ]; then echo "tool=lime:$p";',
    'else echo "tool=none"; fi',
  ],
};

/** Parses the probe's output. */
export function memoryToolFrom(stdout: string): { tool: 'avml' | 'lime'; path: string } | null {
  const match = /tool=(avml|lime):(\S+)/.exec(stdout);
  if (!match?.[1] || !match[2]) return null;
  return { tool: match[1] as 'avml' | 'lime', path: match[2] };
}
