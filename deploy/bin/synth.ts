import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { buildApp } from '../src/app.js';
import { unsuppressedNagFindings } from '../src/nag-findings.js';

/**
 * Synthesises the app without AWS credentials or network: `pnpm --filter @ir/deploy synth` (or the
 * CDK CLI through cdk.json). Prints where the templates went and the time taken, and fails on any
 * unsuppressed cdk-nag AwsSolutions error or warning.
 */
const started = performance.now();
const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..');
const outdir = process.env.CDK_OUTDIR ?? join(here, '..', 'cdk.out');
// Stale staged assets from earlier runs would otherwise pile up (the CDK CLI cleans, this script must).
if (!process.env.CDK_OUTDIR) rmSync(outdir, { recursive: true, force: true });
const app = new App({ outdir });
buildApp({ app, repoRoot });
const findings = unsuppressedNagFindings(app);
if (findings.length > 0) {
  process.stderr.write(`${findings.length} unacknowledged cdk-nag findings:\n${findings.join('\n')}\n`);
  process.exit(1);
}
const assembly = app.synth();
const seconds = ((performance.now() - started) / 1000).toFixed(1);
process.stdout.write(
  `synthesised ${assembly.stacks.map((stack) => stack.stackName).join(', ')} to ${assembly.directory} in ${seconds} s\n`,
);
