import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { issuesFromZod } from '@ir/contracts';
import { LineCounter, parseDocument } from 'yaml';
import { PlaybookError } from './errors.js';
import { Playbook } from './schema.js';
import { byPriority } from './select.js';
import { GENERIC_PLAYBOOK_ID } from './validate.js';

/** Options of {@link loadPlaybooks}. */
export interface LoadPlaybooksOptions {
  /** A directory of user playbooks (`IR_PLAYBOOKS_DIR`): they add to, or replace by id, the shipped ones. */
  readonly userDir?: string;
  /** The shipped playbooks' directory; defaults to this package's `playbooks/`. Tests override it. */
  readonly shippedDir?: string;
}

/** This package's `playbooks/` directory (next to `src/` and `dist/`). */
export const shippedPlaybooksDir = fileURLToPath(new URL('../playbooks/', import.meta.url));

/**
 * Loads and validates the shipped playbooks, then the user's (`*.yaml`, `*.yml`), which replace
 * shipped ones with the same id. Fails on the first invalid file with a {@link PlaybookError} naming
 * the file and the path inside it. Why fail instead of skipping a bad file: a playbook that silently
 * does not load is a response that silently does not happen.
 * Returns the playbooks in selection order (priority, then id).
 */
export async function loadPlaybooks(options: LoadPlaybooksOptions = {}): Promise<Playbook[]> {
  const byId = new Map<string, Playbook>();
  for (const playbook of await loadDirectory(options.shippedDir ?? shippedPlaybooksDir))
    byId.set(playbook.id, playbook);
  if (options.userDir !== undefined) {
    for (const playbook of await loadDirectory(options.userDir)) byId.set(playbook.id, playbook);
  }
  if (!byId.has(GENERIC_PLAYBOOK_ID)) {
    throw new PlaybookError(
      `no '${GENERIC_PLAYBOOK_ID}' playbook: findings no other playbook matches would go unanswered`,
      {
        file: options.userDir ?? options.shippedDir ?? shippedPlaybooksDir,
        path: '(root)',
      },
    );
  }
  return byPriority([...byId.values()]);
}

/** Every playbook file of one directory, sorted by name; two files with one id are an error. */
async function loadDirectory(dir: string): Promise<Playbook[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => /\.ya?ml$/i.test(name)).sort();
  } catch (error: unknown) {
    throw new PlaybookError(`cannot read the playbook directory: ${describe(error)}`, {
      file: dir,
      path: '(root)',
      cause: error,
    });
  }
  const seen = new Map<string, string>();
  const playbooks: Playbook[] = [];
  for (const name of names) {
    const file = join(dir, name);
    const playbook = await loadFile(file);
    const other = seen.get(playbook.id);
    if (other !== undefined) {
      throw new PlaybookError(`playbook id '${playbook.id}' is also used by ${other}`, { file, path: 'id' });
    }
    seen.set(playbook.id, file);
    playbooks.push(playbook);
  }
  return playbooks;
}

/** Reads, parses and validates one playbook file. */
export async function loadFile(file: string): Promise<Playbook> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error: unknown) {
    throw new PlaybookError(`cannot read the file: ${describe(error)}`, {
      file,
      path: '(root)',
      cause: error,
    });
  }
  return parsePlaybook(text, file);
}

/** Parses and validates playbook YAML; `file` names it in errors. */
export function parsePlaybook(text: string, file: string): Playbook {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: true });
  const yamlError = document.errors[0];
  if (yamlError) {
    // prettyErrors puts the line, column and an excerpt in the message.
    throw new PlaybookError(`not valid YAML: ${yamlError.message}`, {
      file,
      path: '(root)',
    });
  }
  const data: unknown = document.toJS();
  const parsed = Playbook.safeParse(data);
  if (!parsed.success) {
    const issues = issuesFromZod(parsed.error).map((issue, i) => {
      const raw = parsed.error.issues[i]?.path ?? [];
      const line = lineOf(document, lineCounter, raw);
      return {
        path: issue.path,
        message: line === undefined ? issue.message : `${issue.message} (line ${line})`,
      };
    });
    const first = issues[0] ?? { path: '(root)', message: 'invalid playbook' };
    const others = issues.slice(1).map((issue) => `${issue.path}: ${issue.message}`);
    const more = others.length === 0 ? '' : `; and ${others.length} more: ${others.join('; ')}`;
    throw new PlaybookError(`${first.message}${more}`, { file, path: first.path, issues });
  }
  return { ...parsed.data, source: file };
}

/** The line of the deepest node on `path` that exists in the document. */
function lineOf(
  document: ReturnType<typeof parseDocument>,
  lineCounter: LineCounter,
  path: readonly PropertyKey[],
): number | undefined {
  for (let depth = path.length; depth >= 0; depth--) {
    const keys = path.slice(0, depth).filter((k): k is string | number => typeof k !== 'symbol');
    const node: unknown = keys.length === 0 ? document.contents : document.getIn(keys, true);
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    if (range) return lineCounter.linePos(range[0]).line;
  }
  return undefined;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
