/**
 * The incident report (issue 11): built from an incident's state, verified evidence added by the
 * caller, rendered as Markdown. Pure and free of AWS, so the coordinator (API, resolve) and the
 * forensics service (which stores it as evidence) build and render the same document. The document's
 * schema and the records it is built from live in `@ir/contracts`; they are re-exported here so a
 * caller of the builder needs one import.
 */
export { type BuildReportOptions, buildReport, stepOutcome } from './build-report.js';
export { boundReportSize, MAX_REPORT_MESSAGE_BYTES } from './bound-size.js';
export { REPORT_JSON_SCHEMA_PATH, reportJsonSchema } from './json-schema.js';
export { escapeMarkdown, markdownTable } from './markdown-escape.js';
export { NIST_PHASE_NAMES, nistPhases, REMEDIATION_ACTIONS } from './phases.js';
export { renderMarkdown } from './render-markdown.js';
export type {
  ReportIncidentInput,
  ReportInput,
  ReportStepInput,
  ReportTimelineInput,
} from './report-input.js';
export {
  type VerifierResult,
  verificationFailed,
  verificationFrom,
  verificationNotConfigured,
  verificationNotRun,
} from './verification.js';
