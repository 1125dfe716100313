import { randomUUID } from 'node:crypto';
import { issuesFromZod, MessageParseError } from './errors.js';
import { type MessageOf, messageSchemas } from './message-schemas.js';
import type { MessageType } from './message-types.js';

/** What a producer supplies: everything but `v`, `type`, and (unless given) `id` and `sentAt`. */
export type MessageFields<T extends MessageType> = Omit<MessageOf<T>, 'v' | 'type' | 'id' | 'sentAt'> &
  Partial<Pick<MessageOf<T>, 'id' | 'sentAt'>>;

/** Clock and id generator, injectable so tests get stable ids and times. */
export interface BuildMessageOptions {
  now?: () => Date;
  newId?: () => string;
}

/**
 * Builds a message of `type`, filling `v`, `id` and `sentAt`, and checks it against its schema.
 * Why check on the way out: a producer bug must fail where it happens, not as a DLQ entry in
 * another service. Throws `MessageParseError('schema')` naming the field.
 */
export function buildMessage<T extends MessageType>(
  type: T,
  fields: MessageFields<T>,
  options: BuildMessageOptions = {},
): MessageOf<T> {
  const candidate = {
    v: 1,
    id: (options.newId ?? randomUUID)(),
    sentAt: (options.now?.() ?? new Date()).toISOString(),
    ...fields,
    type,
  };
  const result = messageSchemas[type].safeParse(candidate);
  if (!result.success) {
    throw new MessageParseError('schema', issuesFromZod(result.error), { cause: result.error });
  }
  return result.data as MessageOf<T>;
}
