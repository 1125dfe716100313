import { writeFile } from 'node:fs/promises';
import type { IncidentReport } from '@ir/contracts';
import { renderMarkdown } from '@ir/reporting';
import { API_OPTIONS, positional, stringOption } from '../args.js';
import type { CommandSpec } from '../command.js';
import { ExitCode, IrctlError, UsageError } from '../errors.js';
import { printable, toJson } from '../format/text.js';
import { apiOf } from './api-context.js';

const FORMATS = ['markdown', 'json'] as const;
type Format = (typeof FORMATS)[number];

/** Exit 1 when the evidence did not verify or could not be read: a script must not take it as fine. */
const exitFor = (report: IncidentReport) =>
  report.verification.status === 'problems' || report.verification.status === 'error'
    ? ExitCode.failed
    : ExitCode.ok;

/**
 * `irctl report <id> [--format markdown|json] [--out file]`: the incident report from the coordinator
 * (`GET /incidents/:id/report`, built live, evidence verified when the coordinator has the bucket),
 * as Markdown (rendered here from the JSON, with the same renderer the stored report.md uses) or JSON.
 */
export const reportCommand: CommandSpec = {
  name: 'report',
  summary: 'the incident report: steps, approvals, rollback, evidence verification, MTTI/MTTE, NIST phases',
  positionals: ['<id>'],
  options: {
    ...API_OPTIONS,
    format: {
      type: 'string',
      valueName: '<format>',
      help: 'markdown (default) or json (--json is the same as --format json)',
    },
    out: {
      type: 'string',
      valueName: '<file>',
      help: 'write the report to this file (mode 600) instead of standard output',
    },
  },
  details: [
    'Exit 0 when the report was produced and its evidence verified (or verification is not configured on',
    'the coordinator); 1 when the verifier found problems or could not read the bucket; 3 no such incident.',
    'The stored, locked copy (report.json, report.md) is written by the forensics service on resolve.',
  ],
  async run(args, context) {
    const incidentId = positional(args, 0);
    const requested = stringOption(args, 'format') ?? (args.values.json === true ? 'json' : 'markdown');
    if (!(FORMATS as readonly string[]).includes(requested)) {
      throw new UsageError(`--format must be one of ${FORMATS.join(', ')}`, 'report');
    }
    const format = requested as Format;
    const report = await (await apiOf(args, context)).report(incidentId);
    const text = format === 'json' ? toJson(report) : renderMarkdown(report).trimEnd();
    const out = stringOption(args, 'out');
    if (out === undefined) {
      // Markdown is already escaped for renderers; control characters are shown, never sent to the terminal.
      context.out(format === 'json' ? text : text.split('\n').map(printable).join('\n'));
      return exitFor(report);
    }
    try {
      await writeFile(out, `${text}\n`, { mode: 0o600 });
    } catch (error: unknown) {
      throw new IrctlError(
        `could not write ${out}: ${error instanceof Error ? error.message : String(error)}`,
        ExitCode.failed,
        {
          cause: error,
        },
      );
    }
    const summary = `wrote the ${format} report of ${incidentId} to ${out} (verification: ${report.verification.status})`;
    context.out(
      args.values.json === true
        ? toJson({ written: out, format, verification: report.verification.status })
        : summary,
    );
    return exitFor(report);
  },
};
