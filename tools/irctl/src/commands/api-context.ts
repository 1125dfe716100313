import { type CoordinatorApi, coordinatorApi } from '../api-client.js';
import { resolveApiToken } from '../auth/token-source.js';
import type { CommandContext, ParsedArgs } from '../command.js';
import { tokenSentInClear } from '../config.js';

/**
 * The coordinator API for a command, with the token from `--token`, IR_API_TOKEN or the login cache
 * (see auth/token-source.ts), and a warning on standard error when the token would cross a network
 * in clear text.
 */
export async function apiOf(args: ParsedArgs, context: CommandContext): Promise<CoordinatorApi> {
  const { token } = await resolveApiToken(args, context);
  const baseUrl = context.config.IR_API_URL;
  if (tokenSentInClear(baseUrl)) {
    context.err(
      `warning: IR_API_URL ${baseUrl} is plain http to another host: the API token crosses the network unencrypted`,
    );
  }
  return coordinatorApi({ baseUrl, token, fetch: context.fetch });
}
