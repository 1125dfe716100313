/**
 * Writes docs/schemas/<name>.json for every message envelope, the normalised finding and the native
 * finding format. Run from the repository root:
 *   pnpm docs:schemas
 */
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jsonSchemas } from '@ir/contracts';

const outDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../../docs/schemas');

await mkdir(outDir, { recursive: true });
// Remove schemas of types that no longer exist, so the folder mirrors the contracts exactly.
for (const file of await readdir(outDir)) {
  if (file.endsWith('.json')) await rm(join(outDir, file));
}
const documents = jsonSchemas();
for (const [name, schema] of Object.entries(documents)) {
  await writeFile(join(outDir, `${name}.json`), `${JSON.stringify(schema, null, 2)}\n`);
}
process.stdout.write(`wrote ${Object.keys(documents).length} schemas to ${outDir}\n`);
