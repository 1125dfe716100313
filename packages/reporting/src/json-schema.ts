import { z } from 'zod';
import { IncidentReport } from '@ir/contracts';

/** Where the generated JSON Schema lives, relative to the repository root. */
export const REPORT_JSON_SCHEMA_PATH = 'docs/schemas/report/incident-report.json';

/**
 * The JSON Schema (draft 2020-12) of the report, for readers outside TypeScript. Written to
 * {@link REPORT_JSON_SCHEMA_PATH} by `scripts/export-json-schema.ts`; a unit test keeps the file current.
 * Why a sub-folder: docs/schemas/*.json is regenerated from the message contracts and pruned.
 */
export function reportJsonSchema(): Record<string, unknown> {
  const { $schema, ...rest } = z.toJSONSchema(IncidentReport, { io: 'output' }) as Record<string, unknown>;
  return { $schema, title: 'Incident report (reportVersion 1)', ...rest };
}
