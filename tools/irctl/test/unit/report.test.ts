import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReportVerification } from '@ir/contracts';
import { buildReport, verificationNotConfigured } from '@ir/reporting';
import { describe, expect, it } from 'vitest';
import { runIrctl } from '../../src/cli.js';
import { ExitCode } from '../../src/errors.js';
import { fakeApi } from '../support/fake-api.js';

const env = { IR_API_URL: 'http://127.0.0.1:9', IR_API_TOKEN: 'unit-test-token-0123456789' };

function report(verification: ReportVerification = verificationNotConfigured()) {
  const target = { accountId: '123456789012', region: 'eu-west-1' };
  return buildReport(
    {
      incident: {
        incidentId: 'inc-1',
        correlationId: 'corr-1',
        status: 'resolved',
        playbookId: 'ec2-compromise',
        severityBand: 'HIGH',
        dryRun: false,
        receivedAt: '2026-03-01T10:00:00.000Z',
        openedAt: '2026-03-01T10:00:01.000Z',
        summary: 'C&C traffic | from i-0abc',
        target,
        findings: [],
        notes: [],
        resolvedAt: '2026-03-01T11:00:00.000Z',
        resolvedBy: 'alice',
      },
      steps: [
        {
          stepId: 'snapshot-volumes',
          action: 'evidence.snapshot-volumes',
          queue: 'forensics',
          target,
          approval: 'none',
          containment: false,
          sealsEvidence: false,
          origin: 'playbook',
          order: 0,
          status: 'succeeded',
          holdReasons: [],
        },
      ],
      timeline: [],
    },
    { generatedAt: '2026-03-01T11:00:01.000Z', generatedBy: 'response-coordinator', verification },
  );
}

const routeTo = (body: unknown, status = 200) => fakeApi(() => ({ status, body }));

describe('irctl report', () => {
  it('prints the report as Markdown from the JSON route, exit 0', async () => {
    // Prepare
    const api = routeTo(report());

    // Act
    const result = await runIrctl(['report', 'inc-1'], env, { fetch: api.fetch });

    // Assess
    expect(result.code).toBe(ExitCode.ok);
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /incidents/inc-1/report?format=json',
    ]);
    expect(result.stdout).toContain('# Incident report: inc-1');
    expect(result.stdout).toContain('| 1 | snapshot-volumes | evidence.snapshot-volumes |');
    expect(result.stdout).toContain('C&amp;C traffic \\| from i-0abc');
  });

  it('prints JSON with --format json (or --json), and exits 1 when the evidence has problems', async () => {
    // Prepare
    const problems: ReportVerification = {
      ...verificationNotConfigured(),
      status: 'problems',
      ok: false,
      problems: ['incidents/inc-1/a.json hashes differently'],
    };
    const api = routeTo(report(problems));

    // Act
    const [format, json] = await Promise.all([
      runIrctl(['report', 'inc-1', '--format', 'json'], env, { fetch: api.fetch }),
      runIrctl(['report', 'inc-1', '--json'], env, { fetch: api.fetch }),
    ]);

    // Assess
    expect(format.code).toBe(ExitCode.failed);
    expect(json.code).toBe(ExitCode.failed);
    expect(JSON.parse(format.stdout)).toMatchObject({
      reportVersion: 1,
      verification: { status: 'problems' },
    });
    expect(JSON.parse(json.stdout)).toEqual(JSON.parse(format.stdout));
  });

  it('writes the report to --out with mode 600 and says where', async () => {
    // Prepare
    const api = routeTo(report());
    const file = join(await mkdtemp(join(tmpdir(), 'irctl-report-')), 'report.md');

    // Act
    const result = await runIrctl(['report', 'inc-1', '--out', file], env, { fetch: api.fetch });

    // Assess
    expect(result.code).toBe(ExitCode.ok);
    expect(result.stdout).toContain(`to ${file} (verification: not-configured)`);
    expect(await readFile(file, 'utf8')).toContain('## NIST SP 800-61 phases');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('refuses an unknown --format (exit 2) and maps a missing incident to exit 3', async () => {
    // Prepare
    const missing = routeTo({ error: 'not-found', message: 'no such incident' }, 404);

    // Act
    const badFormat = await runIrctl(['report', 'inc-1', '--format', 'pdf'], env, { fetch: missing.fetch });
    const notFound = await runIrctl(['report', 'inc-x'], env, { fetch: missing.fetch });

    // Assess
    expect(badFormat.code).toBe(ExitCode.usage);
    expect(notFound.code).toBe(ExitCode.notFound);
    expect(notFound.stderr).toContain('no such incident');
  });

  it('refuses an answer that is not a version 1 report', async () => {
    // Prepare
    const api = routeTo({ reportVersion: 2 });

    // Act
    const result = await runIrctl(['report', 'inc-1'], env, { fetch: api.fetch });

    // Assess
    expect(result.code).toBe(ExitCode.unavailable);
    expect(result.stderr).toContain('unexpected answer');
  });
});
