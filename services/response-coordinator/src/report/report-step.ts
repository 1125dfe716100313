import { boundReportSize, buildReport } from '@ir/reporting';
import type { Draft } from '../state/draft.js';

/** The id of the step that stores the report of a resolved incident; one per incident. */
export const REPORT_STEP_ID = 'report:resolve';

/** The action of that step. */
export const REPORT_ACTION = 'evidence.store-report';

/**
 * How long the forensics service may take: it re-hashes every artifact of the incident, which for
 * large captures takes minutes.
 */
export const REPORT_TIMEOUT_SECONDS = 900;

/** True for the step that stores a report: its params carry the report itself, never shown again in one. */
export const isReportStep = (step: { readonly action: string }): boolean => step.action === REPORT_ACTION;

/**
 * Adds, on resolve, a coordinator-origin step that sends the incident report (steps, approvals,
 * pre-state and rollback status, findings, timeline as of now) to the forensics service, which
 * verifies the evidence, adds the verifier's result, and stores the report as locked evidence.
 * The report travels in the command (bounded for SQS); the step id makes it once per incident.
 */
export function addReportStep(draft: Draft): void {
  if (draft.step(REPORT_STEP_ID)) return;
  const report = boundReportSize(
    buildReport(
      {
        incident: draft.incident,
        steps: draft.steps,
        timeline: [...(draft.context.timeline ?? []), ...draft.recorded],
      },
      { generatedAt: draft.nowIso, generatedBy: draft.context.settings.producer, excludeSteps: isReportStep },
    ),
  );
  draft.addCoordinatorStep({
    stepId: REPORT_STEP_ID,
    action: REPORT_ACTION,
    queue: 'forensics',
    params: { report },
    target: draft.incident.target,
    timeoutSeconds: REPORT_TIMEOUT_SECONDS,
  });
  draft.record(
    'report-requested',
    {
      steps: report.steps.length,
      ...(report.timelineTruncated ? { timelineTruncated: report.timelineTruncated.omitted } : {}),
    },
    REPORT_STEP_ID,
  );
}
