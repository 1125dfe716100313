#!/usr/bin/env node
// `pnpm test`: the unit and integration projects, then the fault suites (reliability project, each
// case once), with every AWS call the services make recorded (IR_AWS_CALL_LOG) into a fresh
// directory, then the IAM proof (tools/iam-proof) over those calls and the synthesised templates:
// every recorded call allowed to the role that made it, every escalation path denied, the clean room
// allowed. The web console is built first, for its browser tests. Arguments go to vitest; a filtered
// run (any argument) records and runs its unit and integration tests but skips the fault suites and
// the proof, since a part of the suite proves only part of the calls.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const args = process.argv.slice(2);
const calls = mkdtempSync(join(tmpdir(), 'ir-calls-'));
const env = { ...process.env, IR_AWS_CALL_LOG: calls };
const run = (command, commandArgs) => spawnSync(command, commandArgs, { stdio: 'inherit', env }).status ?? 1;

// The console's browser tests need its build (vite, about 2 s); built each time, never stale.
let status = run('pnpm', ['--filter', '@ir/console', 'build']);
if (status === 0)
  status = run('pnpm', ['exec', 'vitest', 'run', '--project', 'unit', '--project', 'integration', ...args]);
// The fault suites (kill -9, SIGTERM, AWS faults, emulator restart, malformed input), one file at a
// time and once each (IR_RELIABILITY_REPEAT, default 1, bounds it for CI); `pnpm test:reliability`
// runs them ten times. Their AWS calls are recorded for the proof too.
if (status === 0 && args.length === 0) {
  process.stdout.write('\n=== fault suites (reliability project) ===\n');
  status = run('pnpm', ['exec', 'vitest', 'run', '--project', 'reliability']);
}
if (status === 0 && args.length === 0) {
  process.stdout.write('\n=== IAM proof over the calls the suite recorded ===\n');
  status = run('pnpm', ['run', '--silent', 'iam:prove', '--calls', calls]);
} else if (status === 0) {
  process.stdout.write(`\nfiltered run: the IAM proof was skipped (pnpm iam:prove --calls ${calls})\n`);
}
if (status === 0 && args.length === 0) rmSync(calls, { recursive: true, force: true });
process.exit(status);
