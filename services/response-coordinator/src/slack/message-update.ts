import type { OperatorIdentity } from '@ir/contracts';
import type { BlockActionsPayload } from './payload.js';

/** Slack's limit on blocks in a message. */
const MAX_BLOCKS = 50;

const escapeMrkdwn = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Seconds precision, UTC: the time a person reads in the channel. */
const timeOf = (at: Date) => `${at.toISOString().slice(0, 19)}Z`;

/** `Approved by Alice <alice@example.com> (https://idp / alice-sub) at 2025-01-01T02:00:00Z`. */
export function deciderLine(
  verb: 'Approved' | 'Rejected',
  by: string,
  actor: OperatorIdentity,
  at: Date,
): string {
  return `${verb} by ${by} (${actor.issuer} / ${actor.subject}) at ${timeOf(at)}`;
}

/**
 * The `replace_original` update after a decision was accepted: the original blocks with a context
 * line naming the decider. When `keepButtons` is false the clicked step's actions block is removed, so
 * nobody can click it again (the coordinator would refuse anyway: the step is no longer awaiting
 * approval); it stays when the step needs another person's approval too.
 */
export function decidedMessage(
  payload: BlockActionsPayload,
  clickedBlockId: string,
  line: string,
  keepButtons: boolean,
): Record<string, unknown> {
  const original = payload.message?.blocks ?? [];
  const kept = keepButtons ? original : original.filter((block) => block.block_id !== clickedBlockId);
  const context = { type: 'context', elements: [{ type: 'mrkdwn', text: escapeMrkdwn(line) }] };
  const blocks = [...kept.slice(0, MAX_BLOCKS - 1), context];
  const text = payload.message?.text ? `${payload.message.text}\n${line}` : line;
  return { replace_original: true, text, blocks };
}

/** A message only the clicking user sees, leaving the original as it is. */
export function ephemeral(text: string): Record<string, unknown> {
  return { response_type: 'ephemeral', replace_original: false, text: escapeMrkdwn(text) };
}
