/**
 * Writes docs/schemas/report/incident-report.json from the report's zod schema. Run from the root:
 *   pnpm exec tsx --conditions=@ir/source packages/reporting/scripts/export-json-schema.ts
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPORT_JSON_SCHEMA_PATH, reportJsonSchema } from '@ir/reporting';

const file = resolve(dirname(fileURLToPath(import.meta.url)), '../../..', REPORT_JSON_SCHEMA_PATH);
await mkdir(dirname(file), { recursive: true });
await writeFile(file, `${JSON.stringify(reportJsonSchema(), null, 2)}\n`);
process.stdout.write(`wrote ${file}\n`);
