import { SsmDocumentKey, VOLATILE_COLLECTION_NAMES, type VolatileCollection } from '@ir/ssm-documents';

/**
 * One command on a host: an owned SSM document (a fixed script, @ir/ssm-documents) and the values of
 * its parameters. Never a script: the host runs only what the document says (TRAPS 20).
 */
export interface CollectionCommand {
  /** Artifact name (`volatile/<name>.txt`) and label. */
  readonly name: string;
  readonly description: string;
  readonly document: SsmDocumentKey;
  /** Values of the document's parameters; each must match its `allowedPattern`. */
  readonly parameters: Readonly<Record<string, string>>;
}

const DESCRIPTIONS: Readonly<Record<VolatileCollection, string>> = {
  processes: 'running processes with full command lines',
  'network-connections': 'sockets with owning processes',
  'logged-in-users': 'sessions now and recent logins',
  'system-journal': 'the last two hours of the system journal (tail)',
  'network-configuration': 'addresses, routes, neighbours, resolvers, firewall rules',
};

/**
 * What is collected, each a collection of the `CollectVolatile` document run as its own command, so
 * one failing tool does not cost the others and each output gets SSM's full 24,000-character stdout
 * allowance. The document uses only tools already on the host; nothing is installed or downloaded.
 */
export const COLLECTION_COMMANDS: readonly CollectionCommand[] = VOLATILE_COLLECTION_NAMES.map((name) => ({
  name,
  description: DESCRIPTIONS[name],
  document: SsmDocumentKey.collectVolatile,
  parameters: { collection: name },
}));

/**
 * Looks for a memory acquisition tool already on the host (`CaptureMemory`, action `probe`). Prints
 * `tool=avml:<path>`, `tool=lime:<path>` or `tool=none`; never fetches one.
 */
export const MEMORY_TOOL_PROBE: CollectionCommand = {
  name: 'memory-tool-probe',
  description: 'which memory acquisition tool is already installed',
  document: SsmDocumentKey.captureMemory,
  parameters: { action: 'probe' },
};

/** Parses the probe's output. */
export function memoryToolFrom(stdout: string): { tool: 'avml' | 'lime'; path: string } | null {
  const match = /tool=(avml|lime):(\S+)/.exec(stdout);
  if (!match?.[1] || !match[2]) return null;
  return { tool: match[1] as 'avml' | 'lime', path: match[2] };
}
