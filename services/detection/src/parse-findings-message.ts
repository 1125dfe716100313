import type { Message } from '@aws-sdk/client-sqs';
import {
  detectFindingFormat,
  type Finding,
  type FindingFormat,
  FindingParseError,
  parseFindings,
} from '@ir/contracts';
import type { ParsedMessage } from '@ir/runtime';
import { FindingTooLargeError } from './errors.js';

/** What the findings queue carries once parsed: the input format and every finding in it. */
export interface FindingBatch {
  readonly format: FindingFormat;
  readonly findings: readonly Finding[];
  /** The sender asked for a dry run (message attribute {@link DRY_RUN_ATTRIBUTE} = `true`). */
  readonly dryRun: boolean;
}

/**
 * Message attribute with which a submitter (`irctl submit --dry-run`) opens its incident in dry-run:
 * every worker then only reads and reports what it would do.
 */
export const DRY_RUN_ATTRIBUTE = 'ir-dry-run';

/** The `source` label for an input format; `unknown` when even the format could not be told. */
export function sourceOfFormat(
  format: FindingFormat | undefined,
): 'guardduty' | 'securityhub' | 'native' | 'ocsf' | 'unknown' {
  switch (format) {
    case 'guardduty-eventbridge':
    case 'guardduty-api':
      return 'guardduty';
    case 'securityhub-eventbridge':
    case 'securityhub-v2-eventbridge':
    case 'securityhub-v2-api':
      return 'securityhub';
    case 'ocsf':
      return 'ocsf';
    case 'native':
      return 'native';
    default:
      return 'unknown';
  }
}

/** Settings of {@link findingsParser}. */
export interface FindingsParserSettings {
  readonly maxBytes: number;
  /** Time for native findings that leave `createdAt` out. */
  readonly now: () => Date;
  /** Called once per rejected message with its source label, to count it. */
  readonly onRejected: (source: ReturnType<typeof sourceOfFormat>) => void;
}

/**
 * The worker's parse function for `${IR_PREFIX}-findings`, which carries RAW findings (EventBridge
 * events, GuardDuty and Security Hub API responses, OCSF and native findings), not envelopes. Every failure is non-retryable
 * (the contracts' FindingParseError, or FindingTooLargeError) so the runtime dead-letters the
 * message at once with the reason; the size is checked before the body is parsed so a huge body
 * costs nothing. The `type` label is the input format, a bounded set.
 */
export function findingsParser(
  settings: FindingsParserSettings,
): (message: Message) => ParsedMessage<FindingBatch> {
  return (message) => {
    let format: FindingFormat | undefined;
    try {
      const body = message.Body ?? '';
      const bytes = Buffer.byteLength(body, 'utf8');
      if (bytes > settings.maxBytes) {
        throw new FindingTooLargeError(
          `message body is ${bytes} bytes, more than IR_MAX_FINDING_BYTES (${settings.maxBytes}); no GuardDuty or Security Hub event is that large`,
          { bytes, maxBytes: settings.maxBytes },
        );
      }
      const value = parseJson(body);
      format = detectFindingFormat(value);
      const findings = parseFindings(value, { now: settings.now });
      const dryRun = message.MessageAttributes?.[DRY_RUN_ATTRIBUTE]?.StringValue === 'true';
      return { value: { format, findings, dryRun }, type: format };
    } catch (error: unknown) {
      settings.onRejected(sourceOfFormat(format));
      throw error;
    }
  };
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch (error: unknown) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new FindingParseError('not-json', [{ path: '(root)', message: `not valid JSON: ${detail}` }], {
      cause: error,
    });
  }
}
