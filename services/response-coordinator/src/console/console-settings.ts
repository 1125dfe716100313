import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OperatorRole } from '@ir/contracts';
import { ConfigError } from '@ir/runtime';
import type { CoordinatorConfig } from '../config.js';

/**
 * Where `pnpm build` leaves the console in this workspace: `packages/console/dist`, four levels up from
 * this file in `src/console/` (run from source) and in `dist/console/` (compiled, as in the image).
 * Why a path and not a package import: the console is a set of built files, not a module this service
 * loads, and the image keeps the workspace's layout.
 */
export const WORKSPACE_CONSOLE_DIR = fileURLToPath(
  new URL('../../../../packages/console/dist', import.meta.url),
);

/** `/console/config.json`: what the console needs to sign in and call the API. Nothing in it is secret. */
export interface ConsoleClientConfig {
  readonly issuer: string;
  readonly clientId: string;
  /** The audience (resource indicator) the console asks its access token for. */
  readonly audience: string;
  /** The operator API's base URL: '' is this origin (the console is served by the API's server). */
  readonly apiBase: '';
  /** The token claim holding the operator's groups, and the groups' roles: which buttons to show. */
  readonly rolesClaim: string;
  readonly roleMap: Readonly<Record<string, OperatorRole>>;
}

/** Whether and how the console is served. */
export type ConsoleSettings =
  | {
      readonly enabled: true;
      /** The built console: `index.html` and `assets/`. */
      readonly dir: string;
      readonly client: ConsoleClientConfig;
      /** Origins the policy admits besides this one: the issuer's and `IR_CONSOLE_IDP_ORIGINS`. */
      readonly identityProviderOrigins: readonly string[];
    }
  | { readonly enabled: false; readonly reason: string };

/**
 * Decides whether the console is served. Off in the static-token mode (the console signs people in
 * with OIDC; a shared token is no person), and off when no built console is found, unless
 * `IR_CONSOLE_DIR` names one explicitly: then a missing `index.html` stops the start, naming it.
 */
export function consoleSettings(
  config: CoordinatorConfig,
  workspaceDir: string = WORKSPACE_CONSOLE_DIR,
): ConsoleSettings {
  const explicit = config.IR_CONSOLE_DIR;
  const dir = resolve(explicit ?? workspaceDir);
  const built = existsSync(join(dir, 'index.html'));
  if (explicit && !built) {
    throw new ConfigError(
      `Invalid configuration: IR_CONSOLE_DIR (${explicit}) holds no index.html: point it at the console's build output (packages/console/dist after pnpm build), or unset it`,
      ['IR_CONSOLE_DIR'],
    );
  }
  if (config.auth.mode !== 'oidc') {
    return {
      enabled: false,
      reason:
        'the console signs operators in with OIDC and the operator API is in the static-token mode: set IR_OIDC_ISSUER and IR_OIDC_AUDIENCE to serve it (irctl works with the static token)',
    };
  }
  if (!built) {
    return {
      enabled: false,
      reason: `no built console at ${dir}: run pnpm build (it builds packages/console), or set IR_CONSOLE_DIR`,
    };
  }
  const { issuer, audience, rolesClaim, roleMap } = config.auth;
  return {
    enabled: true,
    dir,
    client: { issuer, clientId: config.IR_CONSOLE_CLIENT_ID, audience, apiBase: '', rolesClaim, roleMap },
    identityProviderOrigins: [new URL(issuer).origin, ...config.IR_CONSOLE_IDP_ORIGINS],
  };
}
