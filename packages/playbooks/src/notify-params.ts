import type { PlaybookAction } from './actions.js';

/**
 * Adds the playbook's audience for the band to a `notify.incident` step's `details.audience`, unless
 * the step sets one. Why in the params: the response matrix (who is told, how loudly) is playbook
 * data, and the notifier routes on it.
 */
export function withAudience(
  action: PlaybookAction,
  params: Record<string, unknown>,
  audience: string,
): Record<string, unknown> {
  if (action !== 'notify.incident') return params;
  const details = params.details ?? {};
  // Anything but a plain object is left for the params schema to reject.
  if (typeof details !== 'object' || details === null || Array.isArray(details)) return params;
  if ('audience' in details) return params;
  return { ...params, details: { ...details, audience } };
}
