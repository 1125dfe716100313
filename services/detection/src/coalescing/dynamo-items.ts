import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/** A DynamoDB item in the low-level attribute-value form. */
export type Item = Record<string, AttributeValue>;

/** Attribute-value constructors, so item literals read like the data they hold. */
export const av = {
  s: (value: string): AttributeValue => ({ S: value }),
  n: (value: number): AttributeValue => ({ N: String(value) }),
  bool: (value: boolean): AttributeValue => ({ BOOL: value }),
} as const;

/** A string attribute, or undefined when absent or of another type. */
export function readString(item: Item, key: string): string | undefined {
  const value = item[key];
  return value && 'S' in value ? value.S : undefined;
}

/** A number attribute, or undefined when absent or of another type. */
export function readNumber(item: Item, key: string): number | undefined {
  const value = item[key];
  return value && 'N' in value && value.N !== undefined ? Number(value.N) : undefined;
}

/** A boolean attribute, or undefined when absent or of another type. */
export function readBool(item: Item, key: string): boolean | undefined {
  const value = item[key];
  return value && 'BOOL' in value ? value.BOOL : undefined;
}

/** Epoch seconds, the unit of the table's TTL attribute. */
export function epochSeconds(at: Date): number {
  return Math.floor(at.getTime() / 1000);
}

/**
 * True when DynamoDB refused a write because a condition did not hold (single write) or a
 * transaction was cancelled only by conditions or by a concurrent transaction: both mean "someone
 * else decided first; read again". Any other cancellation reason is a real error.
 */
export function isLostRace(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const name = (error as { name?: unknown }).name;
  if (name === 'ConditionalCheckFailedException') return true;
  if (name !== 'TransactionCanceledException') return false;
  const reasons = (error as { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons ?? [];
  return reasons.every(
    (reason) =>
      reason.Code === undefined ||
      reason.Code === 'None' ||
      reason.Code === 'ConditionalCheckFailed' ||
      reason.Code === 'TransactionConflict',
  );
}

/** Runs a conditional write; false when it lost the race ({@link isLostRace}), any other error thrown. */
export async function wonRace(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (error: unknown) {
    if (isLostRace(error)) return false;
    throw error;
  }
}
