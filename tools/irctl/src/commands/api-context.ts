import { type CoordinatorApi, coordinatorApi } from '../api-client.js';
import type { CommandContext } from '../command.js';
import { requireToken, tokenSentInClear } from '../config.js';

/**
 * The coordinator API for a command: needs IR_API_TOKEN, and warns (on standard error) when the
 * token would cross a network in clear text.
 */
export function apiOf(context: CommandContext): CoordinatorApi {
  const token = requireToken(context.config);
  const baseUrl = context.config.IR_API_URL;
  if (tokenSentInClear(baseUrl)) {
    context.err(
      `warning: IR_API_URL ${baseUrl} is plain http to another host: the API token crosses the network unencrypted`,
    );
  }
  return coordinatorApi({ baseUrl, token, fetch: context.fetch });
}
