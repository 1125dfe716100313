import { createHash } from 'node:crypto';
import { buildMessage, type Finding } from '@ir/contracts';
import { FindingTooLargeError } from './errors.js';
import type { OutboxEntry } from './coalescing/coalescing-store.js';

/** The `producer` of every message detection sends. */
export const PRODUCER = 'detection';

/**
 * Room for the serialised finding in one coordinator message: SQS's classic 256 KiB limit (queues
 * made before 2025 still have it) less room for the envelope and the message attributes.
 */
export const MAX_FINDING_JSON_BYTES = 262_144 - 8_192;

/**
 * Returns the finding as it will be forwarded: whole when it fits in one coordinator message, else
 * with `raw` replaced by its size and SHA-256 (the normalised fields are what the pipeline acts
 * on). Throws FindingTooLargeError when even that does not fit; called before anything is written,
 * so a finding that cannot be forwarded never leaves a half-made incident behind.
 */
export function fitFinding(finding: Finding, limit = MAX_FINDING_JSON_BYTES): Finding {
  const whole = JSON.stringify(finding);
  if (Buffer.byteLength(whole) <= limit) return finding;
  const rawJson = JSON.stringify(finding.raw) ?? '';
  const slim: Finding = {
    ...finding,
    raw: {
      omitted: 'too-large',
      bytes: Buffer.byteLength(rawJson),
      sha256: createHash('sha256').update(rawJson).digest('hex'),
    },
  };
  const bytes = Buffer.byteLength(JSON.stringify(slim));
  if (bytes > limit) {
    throw new FindingTooLargeError(
      `finding ${finding.id} is ${bytes} bytes even without its raw copy, more than a coordinator message holds (${limit})`,
      { findingId: finding.id, bytes, limit },
    );
  }
  return slim;
}

/** Options of {@link incidentMessage}. */
export interface IncidentMessageOptions {
  readonly dryRun: boolean;
  readonly now: () => Date;
}

/**
 * Builds `incident.opened` or `incident.updated` for an outbox entry, with the entry's message id
 * (so a republish after a crash carries the same id). `correlationId` is the incident id: every
 * message of one incident then shares it.
 */
export function incidentMessage(entry: OutboxEntry, finding: Finding, options: IncidentMessageOptions) {
  const envelope = {
    incidentId: entry.incidentId,
    correlationId: entry.incidentId,
    causationId: null,
    producer: PRODUCER,
    dryRun: options.dryRun,
  };
  const build = { newId: () => entry.messageId, now: options.now };
  if (entry.kind === 'opened') {
    return buildMessage(
      'incident.opened',
      {
        ...envelope,
        payload: {
          finding,
          severityBand: finding.severity.band,
          receivedAt: entry.receivedAt,
          flags: entry.suppressionUnevaluated ? { suppressionUnevaluated: true } : {},
        },
      },
      build,
    );
  }
  return buildMessage(
    'incident.updated',
    { ...envelope, payload: { finding, receivedAt: entry.receivedAt, reason: entry.kind } },
    build,
  );
}
