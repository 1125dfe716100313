import { randomBytes } from 'node:crypto';
import { chmod, lstat, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { IrctlConfig } from '../config.js';
import { TokenCacheError } from '../errors.js';

/*
 * The token cache: `$XDG_CONFIG_HOME/irctl/tokens.json` (else `$HOME/.config/irctl/tokens.json`),
 * one entry per issuer and audience, the file mode 0600 in a directory of mode 0700. Access tokens
 * are bearer credentials and refresh tokens outlive them, so a cache file that others could read is
 * refused, not used: whoever could read it may hold the tokens already.
 */

/** One cached login. */
export const CachedLogin = z.object({
  issuer: z.string(),
  /** The audience (resource) the token was asked for; undefined: the provider's default. */
  audience: z.string().optional(),
  clientId: z.string(),
  grant: z.enum(['device_code', 'client_credentials']),
  accessToken: z.string(),
  refreshToken: z.string().optional(),
  /** ISO time; undefined when the provider did not say (the token is then used until refused). */
  expiresAt: z.iso.datetime().optional(),
  /** The scopes asked for, repeated when refreshing. */
  scope: z.string().optional(),
  savedAt: z.iso.datetime(),
});
/** @see CachedLogin */
export type CachedLogin = z.infer<typeof CachedLogin>;

/** The cache file: logins by {@link loginKey}, and which one API commands use when no issuer is configured. */
export const TokenCacheFile = z.object({
  version: z.literal(1),
  current: z.string().optional(),
  logins: z.record(z.string(), CachedLogin),
});
/** @see TokenCacheFile */
export type TokenCacheFile = z.infer<typeof TokenCacheFile>;

/** The key of a login: its issuer and audience (a token for one API is no token for another). */
export function loginKey(issuer: string, audience: string | undefined): string {
  return `${issuer} ${audience ?? '(default audience)'}`;
}

/**
 * Where the cache lives, from the environment irctl was given (not the process's own: a test or a
 * tool running irctl in-process decides). Undefined when neither XDG_CONFIG_HOME nor HOME is set.
 */
export function tokenCachePath(config: IrctlConfig): string | undefined {
  const base = config.XDG_CONFIG_HOME ?? (config.HOME ? join(config.HOME, '.config') : undefined);
  return base ? join(base, 'irctl', 'tokens.json') : undefined;
}

/** True where POSIX modes mean something (not on Windows, whose ACLs irctl does not inspect). */
const posix = process.platform !== 'win32';

/**
 * Reads the cache. Undefined when there is none; a {@link TokenCacheError} when it is not a regular
 * file, is readable or writable by group or others (unless `exposedToo`: logout reads it to revoke
 * what it can before removing it), or does not parse.
 */
export async function readTokenCache(
  path: string,
  options: { readonly exposedToo?: boolean } = {},
): Promise<TokenCacheFile | undefined> {
  let stats: Awaited<ReturnType<typeof lstat>>;
  try {
    stats = await lstat(path);
  } catch (error: unknown) {
    if ((error as { code?: string }).code === 'ENOENT') return undefined;
    throw new TokenCacheError(`cannot read the token cache ${path}: ${describe(error)}`, { cause: error });
  }
  if (!stats.isFile()) {
    throw new TokenCacheError(
      `the token cache ${path} is not a regular file (a link or a directory): remove it and run irctl login`,
    );
  }
  if (posix && !options.exposedToo && (stats.mode & 0o077) !== 0) {
    const mode = (stats.mode & 0o777).toString(8);
    throw new TokenCacheError(
      `the token cache ${path} has mode ${mode}: other users may read or change the tokens in it. irctl only uses it with mode 600: treat the tokens as exposed (irctl logout, then irctl login), or if you are sure no one read it, chmod 600 ${path}`,
      { detail: { path, mode } },
    );
  }
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error: unknown) {
    throw new TokenCacheError(`cannot read the token cache ${path}: ${describe(error)}`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = TokenCacheFile.safeParse(json);
  if (!parsed.success) {
    throw new TokenCacheError(
      `the token cache ${path} is not one irctl wrote: remove it (irctl logout) and run irctl login`,
    );
  }
  return parsed.data;
}

/**
 * Writes the cache atomically: a new file created with mode 0600 next to it (never an existing one
 * widened), flushed, then renamed over the old one, in a directory of mode 0700. A crash leaves the
 * old cache or the new one, never half of either.
 */
export async function writeTokenCache(path: string, cache: TokenCacheFile): Promise<void> {
  const directory = dirname(path);
  const temporary = join(directory, `.tokens.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await mkdir(directory, { recursive: true, mode: 0o700 });
    // The irctl directory is irctl's own: tighten it even when it existed before.
    if (posix) await chmod(directory, 0o700);
    const handle = await open(temporary, 'wx', 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(cache, null, 2)}\n`, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error: unknown) {
    await rm(temporary, { force: true }).catch(() => undefined);
    throw new TokenCacheError(`cannot write the token cache ${path}: ${describe(error)}`, { cause: error });
  }
}

/** Removes the cache; true when there was one. */
export async function removeTokenCache(path: string): Promise<boolean> {
  try {
    await lstat(path);
  } catch {
    return false;
  }
  await rm(path, { force: true });
  return true;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
