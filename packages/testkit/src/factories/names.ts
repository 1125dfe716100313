import { randomBytes } from 'node:crypto';

/** `base-<8 hex>`: unique enough that tests sharing an account never collide. */
export function uniqueName(base: string): string {
  return `${base}-${randomBytes(4).toString('hex')}`;
}

/** Tags as the `{ Key, Value }` list every AWS API wants. */
export function tagList(tags: Readonly<Record<string, string>> = {}): { Key: string; Value: string }[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}
