import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { z } from 'zod';
import { CorruptItemError } from '../errors.js';

/** A DynamoDB item in its wire form. */
export type Item = Record<string, AttributeValue>;

/** A string attribute of an item, or undefined. */
export function stringOf(item: Item, name: string): string | undefined {
  const value = item[name];
  return value && 'S' in value ? value.S : undefined;
}

/** A number attribute of an item, or undefined. */
export function numberOf(item: Item, name: string): number | undefined {
  const value = item[name];
  return value && 'N' in value && value.N !== undefined ? Number(value.N) : undefined;
}

/**
 * Reads the JSON document of an item (`data`) through its schema. Why JSON in one attribute: the
 * records are nested and only the key and index attributes are ever queried; the schema check on
 * the way in means a record this code cannot read is an error, never a half-understood incident.
 */
export function decodeData<S extends z.ZodType>(item: Item, schema: S): z.infer<S> {
  const key = `${stringOf(item, 'pk')}/${stringOf(item, 'sk')}`;
  const text = stringOf(item, 'data');
  if (text === undefined) throw new CorruptItemError(key, 'no data attribute');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error: unknown) {
    throw new CorruptItemError(key, `data is not JSON (${String(error)})`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new CorruptItemError(
      key,
      parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
    );
  }
  return parsed.data;
}

/** An item with key attributes, extra string/number attributes and a JSON `data` document. */
export function encodeItem(
  pk: string,
  sk: string,
  data: unknown,
  extra: Record<string, string | number | undefined> = {},
): Item {
  const item: Item = { pk: { S: pk }, sk: { S: sk }, data: { S: JSON.stringify(data) } };
  for (const [name, value] of Object.entries(extra)) {
    if (typeof value === 'string') item[name] = { S: value };
    else if (typeof value === 'number') item[name] = { N: String(value) };
  }
  return item;
}
