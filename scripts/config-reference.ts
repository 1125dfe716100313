/**
 * Writes docs/configuration.md from the services' zod config schemas, so the reference of every
 * environment variable (default, allowed values, which services read it) cannot drift from the code.
 * `pnpm docs:config` regenerates it; a unit test fails when the committed file is out of date.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { WorkerEnv } from '@ir/runtime';
import { z } from 'zod';
import { DetectionEnv } from '../services/detection/src/config.js';
import { ForensicsEnv } from '../services/forensics/src/config.js';
import { IsolatorEnv } from '../services/isolator/src/config.js';
import { NotifierEnv } from '../services/notifier/src/config.js';
import { CoordinatorEnv } from '../services/response-coordinator/src/config.js';

const schemas: Record<string, z.ZodObject> = {
  detection: DetectionEnv,
  'response-coordinator': CoordinatorEnv,
  isolator: IsolatorEnv,
  forensics: ForensicsEnv,
  notifier: NotifierEnv,
};

interface Row {
  readonly variable: string;
  readonly services: string[];
  readonly default: string;
  readonly values: string;
}

function describe(schema: z.ZodType): { default: string; values: string } {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  const fallback = json.default === undefined ? '—' : `\`${String(json.default)}\``;
  const parts: string[] = [];
  if (Array.isArray(json.enum)) parts.push(json.enum.map((v) => `\`${v}\``).join(', '));
  if (json.format) parts.push(String(json.format));
  else if (json.pattern) parts.push(`pattern \`${json.pattern}\``);
  const max =
    typeof json.maximum === 'number' && json.maximum < Number.MAX_SAFE_INTEGER ? json.maximum : undefined;
  const min = json.minimum ?? (json.exclusiveMinimum === 0 ? 1 : undefined);
  if (min !== undefined && max !== undefined) parts.push(`${min}–${max}`);
  else if (min !== undefined) parts.push(`≥ ${min}`);
  else if (max !== undefined) parts.push(`≤ ${max}`);
  return { default: fallback, values: parts.join('; ') || String(json.type ?? 'string') };
}

/** The reference as Markdown. */
export function configurationReference(): string {
  const rows = new Map<string, Row>();
  const shared = new Set(Object.keys(WorkerEnv.shape));
  for (const [service, schema] of Object.entries(schemas)) {
    for (const [variable, field] of Object.entries(schema.shape)) {
      const existing = rows.get(variable);
      if (existing) {
        existing.services.push(service);
        continue;
      }
      rows.set(variable, { variable, services: [service], ...describe(field as z.ZodType) });
    }
  }
  const line = (row: Row) =>
    `| \`${row.variable}\` | ${shared.has(row.variable) ? 'all' : row.services.join(', ')} | ${row.default} | ${row.values} |`;
  const sorted = [...rows.values()].sort((a, b) => a.variable.localeCompare(b.variable));
  return [
    '# Configuration reference',
    '',
    "Generated from the services' config schemas by `pnpm docs:config` (a test fails when it is stale).",
    'What each variable means is in the README of the service that reads it; the shared ones are in the',
    'root README. Every service refuses to start on an invalid value and names the variable.',
    '',
    '| variable | read by | default | allowed values |',
    '| --- | --- | --- | --- |',
    ...sorted.map(line),
    '',
  ].join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(new URL('../docs/configuration.md', import.meta.url), configurationReference());
  process.stdout.write('wrote docs/configuration.md\n');
}
