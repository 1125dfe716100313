import type { IncidentReport } from '@ir/contracts';

/**
 * The default size bound of a report carried in a message: SQS takes 256 KiB per message, the
 * envelope needs a little, and the coordinator stores the step's params and its outbox copy as
 * DynamoDB items (400 KB each).
 */
export const MAX_REPORT_MESSAGE_BYTES = 200 * 1024;

const sizeOf = (report: IncidentReport) => Buffer.byteLength(JSON.stringify(report), 'utf8');

/**
 * The report within `maxBytes` of JSON: first the timeline's details go, then the oldest entries
 * beyond the first ones, then the steps' raw results; what was left out is said in
 * `timelineTruncated`. Returns the report as is when it fits. The full timeline stays in the
 * incident table and the API.
 */
export function boundReportSize(report: IncidentReport, maxBytes = MAX_REPORT_MESSAGE_BYTES): IncidentReport {
  if (sizeOf(report) <= maxBytes) return report;
  const total = report.timeline.length;
  const reason = `the report exceeded ${maxBytes} bytes; the full timeline is in the incident (GET /incidents/:id)`;
  const withoutDetail: IncidentReport = {
    ...report,
    timeline: report.timeline.map((entry) => ({ ...entry, detail: null })),
    timelineTruncated: { omitted: 0, reason: `timeline details left out: ${reason}` },
  };
  if (sizeOf(withoutDetail) <= maxBytes) return withoutDetail;
  // Keep the first `keep` entries (detection, plan, first actions), the largest count that fits.
  const keepFirst = (keep: number): IncidentReport => ({
    ...withoutDetail,
    timeline: withoutDetail.timeline.slice(0, keep),
    timelineTruncated: {
      omitted: total - keep,
      reason: `timeline details and ${total - keep} later entries left out: ${reason}`,
    },
  });
  let low = 0;
  let high = total;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (sizeOf(keepFirst(middle)) <= maxBytes) low = middle;
    else high = middle - 1;
  }
  const trimmed = keepFirst(low);
  if (sizeOf(trimmed) <= maxBytes) return trimmed;
  return {
    ...trimmed,
    steps: trimmed.steps.map((step) => ({ ...step, result: null, verified: null })),
    timelineTruncated: {
      omitted: total - low,
      reason: `timeline and the steps' raw results left out: ${reason}`,
    },
  };
}
