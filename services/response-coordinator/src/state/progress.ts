import { advance } from './advance.js';
import type { Draft } from './draft.js';
import { settle } from './settle.js';

/** After any event: dispatch what can run, settle the incident's status, send what that raised. */
export function progress(draft: Draft): Draft {
  advance(draft);
  settle(draft);
  advance(draft);
  return draft;
}
