/**
 * Tag keys the isolator writes. Why tags: workers hold no state of their own (ARCHITECTURE.md), so
 * what a repeated command needs to find again (its groups, the pre-state it replaced) lives on the
 * resources themselves.
 */
export const IrTag = {
  incidentId: 'ir:incident-id',
  status: 'ir:status',
  containedAt: 'ir:contained-at',
  /** On security groups: `conversion` or `isolation`. */
  groupRole: 'ir:group-role',
  managedBy: 'ir:managed-by',
  /** On instances: the pre-state JSON, split over `ir:pre-state-0`, `ir:pre-state-1`, … */
  preStatePrefix: 'ir:pre-state-',
  /**
   * On an instance being rolled back: its Auto Scaling group's desired capacity just before the
   * rollback attached it again (AttachInstances adds one). Written before the attach, removed with the
   * other tags at the end: a repeat after a lost answer or a crash knows which +1 is still to undo.
   */
  asgDesiredBeforeAttach: 'ir:asg-desired-before-attach',
  /** On IAM users: `ir:key-status:<AccessKeyId>` = the key's status before containment. */
  keyStatusPrefix: 'ir:key-status:',
} as const;

/** Value of `ir:managed-by`. */
export const MANAGED_BY = 'ir-isolator';

/** Status values written to `ir:status`. */
export const ContainmentStatus = { containing: 'containing', contained: 'contained' } as const;

/** Tags as a plain map, from any AWS `{ Key, Value }` list. */
export function tagMap(tags: readonly { Key?: string | undefined; Value?: string | undefined }[] = []) {
  const map: Record<string, string> = {};
  for (const tag of tags) if (tag.Key !== undefined) map[tag.Key] = tag.Value ?? '';
  return map;
}

/** A plain map as the `{ Key, Value }` list AWS wants. */
export function tagList(tags: Readonly<Record<string, string>>): { Key: string; Value: string }[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

/**
 * Values of `keys` before we change them (`null` = absent), so a rollback puts back exactly what was
 * there rather than deleting someone else's tag.
 */
export function previousValues(
  current: Readonly<Record<string, string>>,
  keys: readonly string[],
): Record<string, string | null> {
  return Object.fromEntries(keys.map((key) => [key, current[key] ?? null]));
}
