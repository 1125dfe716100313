import type { Draft } from '../state/draft.js';
import { raiseNotification } from '../state/notifications.js';
import { isReportStep } from './report-step.js';

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const record = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;

/**
 * Once the forensics service stored the report, people are told (stage `reported`) with the
 * summary, this incident's MTTI and MTTE, the verifier's verdict and where the report is: never the
 * report itself, which may be large and is evidence in the bucket.
 */
export function raiseReportedNotification(
  draft: Draft,
  stepId: string,
  result: Record<string, unknown>,
): void {
  const step = draft.step(stepId);
  if (!step || !isReportStep(step)) return;
  const verification = record(result.verification);
  const ok = verification?.ok;
  const verdict =
    ok === true ? 'evidence verified' : ok === false ? 'EVIDENCE PROBLEMS FOUND' : 'evidence not verified';
  const summary = text(result.summary) ?? draft.incident.summary;
  raiseNotification(
    draft,
    'reported',
    'reported',
    `${result.dryRun === true ? 'Dry run: report not stored. ' : ''}Incident report stored (${verdict}): ${summary}`,
    {
      details: {
        stepId,
        mttiSeconds: result.mttiSeconds ?? null,
        mtteSeconds: result.mtteSeconds ?? null,
        verification: verification ?? null,
        report: result.report ?? null,
        manifest: result.manifest ?? null,
      },
      // A report whose evidence does not verify needs a person now.
      page: ok === false,
    },
  );
}
