#!/usr/bin/env node
/**
 * `irctl` from a checkout: runs src/main.ts under tsx with the workspace's `@ir/source` condition, so
 * no build is needed. Containers run the compiled entry instead (`node dist/main.js`).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const result = spawnSync(
  process.execPath,
  ['--conditions=@ir/source', '--import', 'tsx', main, ...process.argv.slice(2)],
  { stdio: 'inherit', cwd: process.cwd() },
);
if (result.error) {
  process.stderr.write(`irctl: could not start node: ${result.error.message}\n`);
  process.exit(5);
}
process.exit(result.status ?? 1);
