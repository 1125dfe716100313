import { readFile } from 'node:fs/promises';
import {
  detectFindingFormat,
  type Finding,
  type FindingFormat,
  isFindingParseError,
  parseFindings,
  resourceKey,
} from '@ir/contracts';
import { InputError } from './errors.js';

/**
 * The largest finding irctl sends: detection's default `IR_MAX_FINDING_BYTES` (EventBridge's event
 * limit). Why refuse here: detection would dead-letter it unread, and the operator is right here.
 */
export const MAX_FINDING_BYTES = 262_144;

/** A finding file as read and validated: the exact text (sent unchanged), its format and findings. */
export interface FindingInput {
  readonly source: string;
  readonly text: string;
  readonly format: FindingFormat;
  readonly findings: readonly Finding[];
}

/**
 * Reads a finding from a file (or standard input for `-`) and validates it with the contracts'
 * `parseFindings`, exactly as detection will. Every problem is an {@link InputError} (exit 2) naming
 * the file and, for schema failures, each field.
 */
export async function readFindingInput(
  file: string,
  readStdin: () => Promise<string>,
  now: () => Date,
): Promise<FindingInput> {
  const source = file === '-' ? 'standard input' : file;
  let text: string;
  try {
    text = file === '-' ? await readStdin() : await readFile(file, 'utf8');
  } catch (error: unknown) {
    const why = error instanceof Error ? error.message : String(error);
    throw new InputError(`cannot read ${source}: ${why}`, { cause: error });
  }
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_FINDING_BYTES) {
    throw new InputError(
      `${source} is ${bytes} bytes, more than ${MAX_FINDING_BYTES} (detection's IR_MAX_FINDING_BYTES default); no GuardDuty or Security Hub event is that large`,
      { detail: { bytes, maxBytes: MAX_FINDING_BYTES } },
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error: unknown) {
    const why = error instanceof Error ? error.message : String(error);
    throw new InputError(`${source} is not JSON: ${why}`, { cause: error, detail: { reason: 'not-json' } });
  }
  try {
    const format = detectFindingFormat(value);
    const findings = parseFindings(value, { now });
    return { source, text, format, findings };
  } catch (error: unknown) {
    if (!isFindingParseError(error)) throw error;
    const fields = error.issues.map((issue) => `  ${issue.path}: ${issue.message}`).join('\n');
    throw new InputError(`${source} is not a valid finding (${error.reason}):\n${fields}`, {
      cause: error,
      detail: { reason: error.reason, issues: error.issues },
    });
  }
}

/** The resources of a finding as contracts key them (`ec2-instance:i-0abc`), for tables. */
export function resourceWords(finding: Finding): string {
  return finding.resources.map((resource) => resourceKey(resource)).join(', ');
}
