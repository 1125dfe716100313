import { errorMessage, errorName, isRetryable } from '@ir/runtime';

/**
 * What happened to one finding at one source. `updated` and `already-in-state` are only ever
 * reported after the state was read back; `would-update` is the dry-run answer (nothing written).
 */
export type SyncOutcome =
  | { readonly outcome: 'updated'; readonly before: string; readonly after: string }
  | { readonly outcome: 'already-in-state'; readonly state: string }
  | { readonly outcome: 'would-update'; readonly before: string; readonly wanted: string }
  | { readonly outcome: 'failed'; readonly reason: string };

/** The state a sync moved a finding to, with the words the result and the reason use. */
export interface SyncRequest {
  /** What is wanted, as the source reads it back (`RESOLVED`, `status_id 4`, `archived`). */
  readonly wanted: string;
  readonly dryRun: boolean;
}

/** A finding's state at its source, or why it could not be read. */
export type ReadState = { readonly found: true; readonly state: string } | { readonly found: false };

/** The calls one source offers for one finding: read its state, change it. */
export interface SyncCalls {
  /** Names the finding and the source in every reason (`Security Hub v1 finding <id> in eu-west-1`). */
  readonly label: string;
  readonly read: () => Promise<ReadState>;
  /** Changes the state; throws, or returns a reason when the source refused this finding. */
  readonly write: () => Promise<string | undefined>;
}

/**
 * Reads, writes only when the state differs, and reads back: the one sequence every source follows.
 * Why read first: a finding already in the wanted state is not written again (a redelivered command
 * or a second resolve does nothing). Why read back: a write AWS accepted is not proof (TRAPS 16).
 * Transient errors (throttling, 5xx, network) are thrown so the step worker tries the command again,
 * which is safe because of the first read; any other error fails this finding with AWS's words.
 */
export async function syncOne(calls: SyncCalls, request: SyncRequest): Promise<SyncOutcome> {
  const { label } = calls;
  const { wanted } = request;
  try {
    const before = await calls.read();
    if (!before.found) return { outcome: 'failed', reason: `${label} was not found` };
    if (before.state === wanted) return { outcome: 'already-in-state', state: before.state };
    if (request.dryRun) return { outcome: 'would-update', before: before.state, wanted };
    const refused = await calls.write();
    if (refused !== undefined) return { outcome: 'failed', reason: `${label} was not updated: ${refused}` };
    const after = await calls.read();
    if (!after.found) return { outcome: 'failed', reason: `${label} was not found when read back` };
    if (after.state !== wanted) {
      return {
        outcome: 'failed',
        reason: `${label} read back as ${after.state} after the update, not ${wanted}`,
      };
    }
    return { outcome: 'updated', before: before.state, after: after.state };
  } catch (error: unknown) {
    if (isRetryable(error)) throw error;
    return { outcome: 'failed', reason: `${label}: ${describeError(error)}` };
  }
}

/**
 * AWS's error in one line: its name, the HTTP status, and the first line of its message. Why the
 * status: an endpoint that does not implement the call answers a page the SDK cannot parse, and
 * "HTTP 404" says more than the parser's complaint.
 */
export function describeError(error: unknown): string {
  const detail = error as { $metadata?: { httpStatusCode?: number }; $response?: { statusCode?: number } };
  const status = detail.$metadata?.httpStatusCode ?? detail.$response?.statusCode;
  const message = errorMessage(error).split('\n')[0] ?? '';
  return `${errorName(error)}${status === undefined ? '' : ` (HTTP ${status})`}: ${message}`;
}
