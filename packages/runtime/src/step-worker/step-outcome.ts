/**
 * What one step action reports. The step worker turns it into the answer the coordinator reads:
 * - `succeeded`: `step.succeeded` with what was done (or, in dry-run, what would be), the pre-state a
 *   rollback needs, and what was read back to prove it (TRAPS 16);
 * - `skipped`: the action could not apply (an instance SSM cannot reach); answered as `step.succeeded`
 *   with `result.skipped: true` and the reason, which the coordinator records as a skipped step;
 * - `failed`: a permanent failure the action found itself (nothing delivered, a refused input);
 *   answered as `step.failed` with the reason;
 * - `held`: the action changed nothing because a resource it would change is protected in AWS and
 *   the command was not approved for that (TRAPS 22); answered as `step.held`, and the coordinator
 *   asks two people;
 * - `deferred`: the action put its own command back on the queue to look again later (the clean room
 *   waiting on AWS); nothing is answered now, and the copy keeps the command's `sentAt`, so the
 *   deadline still holds.
 */
export type StepOutcome =
  | {
      readonly kind: 'succeeded';
      readonly result: Record<string, unknown>;
      readonly preState?: Record<string, unknown> | undefined;
      readonly verified?: Record<string, unknown> | undefined;
    }
  | {
      readonly kind: 'skipped';
      readonly reason: string;
      readonly result?: Record<string, unknown> | undefined;
    }
  | {
      readonly kind: 'failed';
      readonly reason: string;
      readonly errorName?: string | undefined;
      readonly detail?: Record<string, unknown> | undefined;
    }
  | {
      readonly kind: 'held';
      readonly reason: 'protected-resource';
      readonly resources: readonly { readonly key: string; readonly tag: string }[];
    }
  | { readonly kind: 'deferred'; readonly note?: string | undefined };

/** A step that did what it was asked, with what was read back. */
export function succeeded(
  result: Record<string, unknown>,
  extra: {
    preState?: Record<string, unknown> | undefined;
    verified?: Record<string, unknown> | undefined;
  } = {},
): StepOutcome {
  return {
    kind: 'succeeded',
    result,
    ...(extra.preState ? { preState: extra.preState } : {}),
    ...(extra.verified ? { verified: extra.verified } : {}),
  };
}

/** A step that could not apply, with the reason a person reads on the timeline. */
export function skipped(reason: string, result: Record<string, unknown> = {}): StepOutcome {
  return { kind: 'skipped', reason, result };
}

/** A step that failed for a reason the action itself found (not an exception). */
export function failed(
  reason: string,
  extra: { errorName?: string; detail?: Record<string, unknown> } = {},
): StepOutcome {
  return { kind: 'failed', reason, ...extra };
}

/**
 * The step was not run: `resources` (resource keys, with the tag as AWS holds it) carry the protected
 * tag and the command is not approved for `protected-resource`. Nothing was changed.
 */
export function held(resources: readonly { readonly key: string; readonly tag: string }[]): StepOutcome {
  return { kind: 'held', reason: 'protected-resource', resources };
}

/** The action re-queued its own command to look again later; no answer now. */
export function deferred(note?: string): StepOutcome {
  return { kind: 'deferred', ...(note ? { note } : {}) };
}
