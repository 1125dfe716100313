import { InvalidPreStateError } from '../../errors.js';
import { IrTag } from '../../aws/tags.js';
import { InstancePreState } from './instance-pre-state.js';

/** EC2 tag values hold at most 256 characters. */
const CHUNK = 250;
/** EC2 allows 50 tags per resource; keep room for the owner's own. */
const MAX_CHUNKS = 20;

/**
 * The pre-state as instance tags (`ir:pre-state-0…n`), written before the first change. Why: a
 * repeated `contain.ec2-instance` (duplicate delivery, retry after a partial failure) must report the
 * state from before the *first* run, not the half-contained state it finds. Returns undefined when it
 * would not fit; containment then goes on, and the result says the pre-state was not recorded on the
 * instance.
 */
export function preStateTags(preState: InstancePreState): Record<string, string> | undefined {
  const json = JSON.stringify(preState);
  const count = Math.ceil(json.length / CHUNK);
  if (count > MAX_CHUNKS) return undefined;
  const tags: Record<string, string> = {};
  for (let index = 0; index < count; index++) {
    tags[`${IrTag.preStatePrefix}${index}`] = json.slice(index * CHUNK, (index + 1) * CHUNK);
  }
  return tags;
}

/** The pre-state recorded by an earlier run, or undefined when the instance carries none. */
export function preStateFromTags(tags: Readonly<Record<string, string>>): InstancePreState | undefined {
  let json = '';
  for (let index = 0; tags[`${IrTag.preStatePrefix}${index}`] !== undefined; index++) {
    json += tags[`${IrTag.preStatePrefix}${index}`];
  }
  if (json === '') return undefined;
  try {
    return InstancePreState.parse(JSON.parse(json));
  } catch (error: unknown) {
    throw new InvalidPreStateError(
      'the instance carries ir:pre-state-* tags that do not parse; remove them after checking the instance by hand',
      error,
    );
  }
}

/** Keys of every pre-state chunk on the instance, for removal on rollback. */
export function preStateTagKeys(tags: Readonly<Record<string, string>>): string[] {
  return Object.keys(tags).filter((key) => key.startsWith(IrTag.preStatePrefix));
}
