import { realpath, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';

/** Content types of what `vite build` emits; anything else is served as bytes (and never sniffed). */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.webmanifest': 'application/manifest+json',
};

/** The content type of a file, by its extension. */
export function contentTypeOf(path: string): string {
  return CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * The absolute path `relative` names inside `root`, or undefined when, as written, it leaves `root`
 * (`..` segments, an absolute path) or is empty or holds a NUL byte. Lexical only: links are
 * {@link fileInside}'s to check.
 */
export function pathInside(root: string, relative: string): string | undefined {
  if (relative === '' || relative.includes('\0')) return undefined;
  const base = resolve(root);
  const candidate = resolve(base, relative);
  return candidate.startsWith(base + sep) ? candidate : undefined;
}

/** A regular file found inside a served directory. */
export interface FoundFile {
  readonly path: string;
  readonly size: number;
}

/**
 * The regular file `relative` names inside `root`, or undefined: when it does not exist, is not a
 * file, or resolves outside `root` (`..` segments, an absolute path, a NUL byte, or a symbolic link
 * pointing out). Why both checks: `resolve` catches `..` in the name, `realpath` a link in the tree.
 */
export async function fileInside(root: string, relative: string): Promise<FoundFile | undefined> {
  const candidate = pathInside(root, relative);
  if (candidate === undefined) return undefined;
  const base = resolve(root);
  try {
    const [realBase, real] = await Promise.all([realpath(base), realpath(candidate)]);
    if (!real.startsWith(realBase + sep)) return undefined;
    const info = await stat(real);
    return info.isFile() ? { path: real, size: info.size } : undefined;
  } catch (error: unknown) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

function isMissing(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'ENAMETOOLONG';
}
