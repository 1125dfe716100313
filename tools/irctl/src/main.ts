/**
 * irctl's entry point: the only file that reads `process.env` and touches the process's streams and
 * exit status. Everything else is `execute` in cli.ts.
 */
import { text } from 'node:stream/consumers';
import { execute } from './cli.js';

const code = await execute(process.argv.slice(2), process.env, {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  readStdin: () => text(process.stdin),
});
process.exitCode = code;
