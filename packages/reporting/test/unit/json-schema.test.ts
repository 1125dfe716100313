import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { REPORT_JSON_SCHEMA_PATH, reportJsonSchema } from '@ir/reporting';
import { describe, expect, it } from 'vitest';

describe('reportJsonSchema', () => {
  it('matches docs/schemas/report/incident-report.json (run packages/reporting/scripts/export-json-schema.ts)', async () => {
    // Prepare
    const file = resolve(import.meta.dirname, '../../../..', REPORT_JSON_SCHEMA_PATH);

    // Act
    const written = JSON.parse(await readFile(file, 'utf8')) as unknown;

    // Assess
    expect(written).toEqual(reportJsonSchema());
    expect(reportJsonSchema()).toMatchObject({ title: 'Incident report (reportVersion 1)', type: 'object' });
  });
});
