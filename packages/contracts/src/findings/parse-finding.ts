import { z } from 'zod';
import { FindingParseError } from '../errors.js';
import type { Finding } from '../finding.js';
import { parseJsonText } from '../json.js';
import { parseGuardDutyApi } from './guardduty-api.js';
import { guardDutyDetailType, parseGuardDutyEventBridge } from './guardduty-eventbridge.js';
import { type NativeParseOptions, nativeFindingFormat, parseNativeFinding } from './native.js';
import {
  isOcsfFinding,
  parseOcsfFinding,
  parseSecurityHubV2Api,
  parseSecurityHubV2Event,
  securityHubV2DetailType,
} from './ocsf.js';
import { isRecord } from './shared.js';
import { parseSecurityHubEvent, securityHubDetailType } from './security-hub.js';

/** The input formats `parseFindings` understands. */
export const FindingFormat = z.enum([
  'guardduty-eventbridge',
  'guardduty-api',
  'securityhub-eventbridge',
  'securityhub-v2-eventbridge',
  'securityhub-v2-api',
  'ocsf',
  'native',
]);
/** @see FindingFormat */
export type FindingFormat = z.infer<typeof FindingFormat>;

/** Options for `parseFindings`. */
export type ParseFindingsOptions = NativeParseOptions;

/**
 * Says which format `value` is in, by its markers: EventBridge `detail-type`, native `format`, an
 * OCSF finding (`class_uid` + `finding_info`) alone or in a `GetFindingsV2` response
 * (`{ Findings: [...] }` whose first entry is OCSF), or GuardDuty API PascalCase
 * (`{ Findings: [...] }`, or `SchemaVersion` + `Id` + `Service`).
 * Throws `FindingParseError` ('unknown-detail-type' naming `detail-type`, or 'unknown-format').
 */
export function detectFindingFormat(value: unknown): FindingFormat {
  if (!isRecord(value)) {
    throw new FindingParseError('unknown-format', [{ path: '(root)', message: 'expected a JSON object' }]);
  }
  if ('detail-type' in value) {
    const detailType = value['detail-type'];
    if (detailType === guardDutyDetailType) return 'guardduty-eventbridge';
    if (detailType === securityHubDetailType) return 'securityhub-eventbridge';
    if (detailType === securityHubV2DetailType) return 'securityhub-v2-eventbridge';
    throw new FindingParseError('unknown-detail-type', [
      {
        path: 'detail-type',
        message: `${JSON.stringify(detailType)} is not '${guardDutyDetailType}', '${securityHubDetailType}' or '${securityHubV2DetailType}'`,
      },
    ]);
  }
  if ('format' in value) {
    if (value.format === nativeFindingFormat) return 'native';
    throw new FindingParseError('unknown-format', [
      { path: 'format', message: `${JSON.stringify(value.format)} is not '${nativeFindingFormat}'` },
    ]);
  }
  if (isOcsfFinding(value)) return 'ocsf';
  if (Array.isArray(value.Findings) && isOcsfFinding(value.Findings[0])) return 'securityhub-v2-api';
  if (Array.isArray(value.Findings) || ('SchemaVersion' in value && 'Id' in value && 'Service' in value)) {
    return 'guardduty-api';
  }
  throw new FindingParseError('unknown-format', [
    {
      path: '(root)',
      message:
        'not an EventBridge GuardDuty/Security Hub event, a GuardDuty or Security Hub API response, an OCSF finding or an ir.finding/v1 finding',
    },
  ]);
}

/**
 * Parses a finding in any supported format (a JSON string or a parsed value) into normalised
 * `Finding`s; one input may hold several (Security Hub events, GetFindings responses, S3 findings
 * are still one finding with several resources). Throws `FindingParseError` naming the field.
 */
export function parseFindings(input: unknown, options: ParseFindingsOptions = {}): Finding[] {
  const value =
    typeof input === 'string'
      ? parseJsonText(
          input,
          (message, cause) => new FindingParseError('not-json', [{ path: '(root)', message }], { cause }),
        )
      : input;
  switch (detectFindingFormat(value)) {
    case 'guardduty-eventbridge':
      return parseGuardDutyEventBridge(value);
    case 'guardduty-api':
      return parseGuardDutyApi(value);
    case 'securityhub-eventbridge':
      return parseSecurityHubEvent(value);
    case 'securityhub-v2-eventbridge':
      return parseSecurityHubV2Event(value);
    case 'securityhub-v2-api':
      return parseSecurityHubV2Api(value);
    case 'ocsf':
      return parseOcsfFinding(value);
    case 'native':
      return parseNativeFinding(value, options);
  }
}
