import { advance } from './advance.js';
import type { Draft } from './draft.js';
import { completeWhenDone } from './complete-when-done.js';

/**
 * After any event: dispatch what can run, settle the incident's status (which may raise a
 * notification), and dispatch what that raised.
 */
export function dispatchAndSettle(draft: Draft): Draft {
  advance(draft);
  completeWhenDone(draft);
  advance(draft);
  return draft;
}
