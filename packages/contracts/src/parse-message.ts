import { issuesFromZod, MessageParseError } from './errors.js';
import { parseJsonText } from './json.js';
import { type Message, messageSchemas } from './message-schemas.js';
import { MessageType } from './message-types.js';

/**
 * Parses a queue message body (JSON text or a parsed value) into the typed `Message` union.
 * Throws `MessageParseError` with reason 'not-json', 'unknown-type' (naming `type`) or 'schema'
 * (naming each bad field, e.g. `payload.params.instanceId`); the runtime sends such a message to
 * the DLQ at once.
 */
export function parseMessage(body: unknown): Message {
  const value =
    typeof body === 'string'
      ? parseJsonText(
          body,
          (message, cause) => new MessageParseError('not-json', [{ path: '(root)', message }], { cause }),
        )
      : body;
  const rawType =
    typeof value === 'object' && value !== null ? (value as { type?: unknown }).type : undefined;
  const type = MessageType.safeParse(rawType);
  if (!type.success) {
    const message =
      rawType === undefined ? 'missing' : `${JSON.stringify(rawType)} is not a known message type`;
    throw new MessageParseError('unknown-type', [{ path: 'type', message }]);
  }
  const result = messageSchemas[type.data].safeParse(value);
  if (!result.success) {
    throw new MessageParseError('schema', issuesFromZod(result.error), { cause: result.error });
  }
  return result.data as Message;
}
