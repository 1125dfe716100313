import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { CallRecord } from './call-mapping.js';
import { type ProofResult, prove } from './prove.js';
import { PROOF_SYNTH_CONTEXT } from './synth-context.js';
import type { CfnTemplate } from './template-resolver.js';

/**
 * `pnpm iam:prove [--calls <dir>] [--templates <cdk.out>]`: proves, by IAM policy simulation
 * (@cloud-copilot/iam-simulate) over the synthesised templates, that every AWS call recorded in the
 * call logs (`IR_AWS_CALL_LOG=<dir> pnpm test`) is allowed to the role that made it, that no
 * privilege-escalation path is open to any task role or the member role, and that the clean room's
 * calls are allowed to the forensics task role. Prints a table per role, and the count of records of
 * services the stack does not deploy (not proved); exits 1 on any finding. Without --templates it
 * synthesises the app (deploy/bin/synth.ts) with a clean room, one member account, the member external
 * id and the notifier's AWS channels, into a temporary directory.
 */
const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: process.env.IR_AWS_CALL_LOG ?? '/tmp/ir-calls' },
    templates: { type: 'string' },
    region: { type: 'string', default: 'us-east-1' },
  },
});

const repoRoot = join(import.meta.dirname, '..', '..', '..');
const templatesDir = values.templates ?? synthesise();
const readTemplate = (name: string) =>
  JSON.parse(readFileSync(join(templatesDir, `${name}.template.json`), 'utf8')) as CfnTemplate;
const records = readCallLogs(values.calls);
const result = await prove(
  { system: readTemplate('IncidentResponse'), member: readTemplate('IncidentResponseMemberAccount') },
  records,
  { region: values.region },
);
process.stdout.write(report(result, values.calls));
process.exit(result.findings.length > 0 ? 1 : 0);

function synthesise(): string {
  const outdir = mkdtempSync(join(tmpdir(), 'ir-iam-proof-'));
  const context = {
    // A fixed image, so synthesis stages no Docker context.
    imageUri: '123456789012.dkr.ecr.us-east-1.amazonaws.com/ir:proof',
    ...PROOF_SYNTH_CONTEXT,
  };
  process.stderr.write(`synthesising the app into ${outdir}…\n`);
  const run = spawnSync(process.execPath, ['--conditions=@ir/source', '--import', 'tsx', 'bin/synth.ts'], {
    cwd: join(repoRoot, 'deploy'),
    env: { ...process.env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify(context) },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (run.status !== 0) {
    process.stderr.write('synthesis failed\n');
    process.exit(2);
  }
  return outdir;
}

function readCallLogs(directory: string): CallRecord[] {
  if (!existsSync(directory)) {
    process.stderr.write(
      `no call logs in ${directory}: record them with IR_AWS_CALL_LOG=${directory} pnpm test (or a few suites)\n`,
    );
    process.exit(2);
  }
  return readdirSync(directory)
    .filter((file) => file.endsWith('.jsonl'))
    .sort()
    .flatMap((file) =>
      readFileSync(join(directory, file), 'utf8')
        .split('\n')
        .filter((line) => line.trim().length > 0)
        .map((line) => JSON.parse(line) as CallRecord),
    );
}

function report(proof: ProofResult, directory: string): string {
  const header = ['role', 'calls allowed', 'calls denied', 'escalation paths open'];
  const rows = [...proof.tallies.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([role, t]) => [
      role,
      String(t.allowed),
      String(t.denied),
      `${t.escalationsOpen} of ${t.escalationsChecked}`,
    ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)),
  );
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  const out = [
    `${proof.recordCount} recorded calls from ${directory}; distinct IAM requests per role (goal: 0 denied, 0 open)`,
    line(header),
    `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`,
    ...rows.map(line),
    '',
  ];
  for (const [service, count] of [...proof.notProved.entries()].sort(([a], [b]) => a.localeCompare(b)))
    out.push(`not proved: ${count} recorded calls of ${service}: not a deployed service, not proved`);
  if (proof.notProved.size > 0) out.push('');
  for (const finding of proof.findings) {
    const request = finding.request
      ? ` ${finding.request.action} on ${finding.request.resource}${
          finding.request.context && Object.keys(finding.request.context).length > 0
            ? ` ${JSON.stringify(finding.request.context)}`
            : ''
        }`
      : '';
    const decided = finding.decision
      ? ` → ${finding.decision.result} by ${finding.decision.decidedBy.join(', ')}`
      : '';
    out.push(`${finding.kind} [${finding.role}] ${finding.what}:${request}${decided}`);
  }
  out.push('', proof.findings.length === 0 ? 'PROVED' : `${proof.findings.length} finding(s)`, '');
  return out.join('\n');
}
