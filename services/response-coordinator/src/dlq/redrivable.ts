import type { DeadLetterMessage } from '@ir/contracts';
import { type DeadLetter, redriveRefusal } from '@ir/runtime';

/** A dead letter as the API answers it: with whether a redrive would take it ({@link redriveRefusal}). */
export function deadLetterMessage(letter: DeadLetter): DeadLetterMessage {
  return { ...letter, redrivable: redriveRefusal(letter) === undefined };
}
