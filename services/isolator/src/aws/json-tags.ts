import type { z } from 'zod';
import { InvalidPreStateError } from '../errors.js';

/** EC2 tag values hold at most 256 characters; 50 tags per resource, so keep room for the owner's. */
const VALUE_LENGTH = 250;
const MAX_TAGS = 20;

/**
 * A JSON value spread over tags `<prefix>0…n`, or undefined when it would take more than 20 tags.
 * Why tags: workers keep no state of their own, so what a repeated command must find again (the
 * rules it already revoked) lives on the resource it changed.
 */
export function jsonToTags(prefix: string, value: unknown): Record<string, string> | undefined {
  const json = JSON.stringify(value);
  const count = Math.ceil(json.length / VALUE_LENGTH);
  if (count > MAX_TAGS) return undefined;
  return Object.fromEntries(
    Array.from({ length: count }, (_, i) => [
      `${prefix}${i}`,
      json.slice(i * VALUE_LENGTH, (i + 1) * VALUE_LENGTH),
    ]),
  );
}

/**
 * The value written by {@link jsonToTags}, checked against `schema`; undefined when there is none.
 * Tags that do not parse are not guessed at: the error asks a person to look.
 */
export function jsonFromTags<S extends z.ZodType>(
  prefix: string,
  tags: Readonly<Record<string, string>>,
  schema: S,
  where: string,
): z.infer<S> | undefined {
  let json = '';
  for (let i = 0; tags[`${prefix}${i}`] !== undefined; i++) json += tags[`${prefix}${i}`];
  if (json === '') return undefined;
  try {
    return schema.parse(JSON.parse(json));
  } catch (error: unknown) {
    throw new InvalidPreStateError(
      `${where} carries ${prefix}* tags that do not parse; remove them after checking it by hand`,
      error,
    );
  }
}

/** Keys of every tag written by {@link jsonToTags} under `prefix`. */
export function jsonTagKeys(prefix: string, tags: Readonly<Record<string, string>>): string[] {
  return Object.keys(tags).filter((key) => key.startsWith(prefix) && /^\d+$/.test(key.slice(prefix.length)));
}
