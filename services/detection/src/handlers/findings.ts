import type { Finding } from '@ir/contracts';
import type { HandlerContext, Logger, ParsedMessage, Publisher } from '@ir/runtime';
import type { CoalescingDecision, CoalescingStore } from '../coalescing/coalescing-store.js';
import { findingKey } from '../coalescing/item-keys.js';
import type { ReEmissionThrottle } from '../coalescing/re-emission-throttle.js';
import { fitFinding, incidentMessage } from '../incident-messages.js';
import { type DetectionMetrics, FindingOutcome } from '../metrics.js';
import type { FindingBatch } from '../parse-findings-message.js';
import type { Suppressor } from '../suppression/suppressor.js';

/** What the findings handler needs; built in app.ts, injected in tests. */
export interface FindingsHandlerDeps {
  readonly store: CoalescingStore;
  readonly suppressor: Suppressor;
  readonly publisher: Publisher<'coordinator'>;
  readonly metrics: DetectionMetrics;
  readonly now: () => Date;
  readonly acceptSampleFindings: boolean;
  readonly dryRun: boolean;
  /**
   * Holds back re-emissions the coordinator would not act on (IR_REEMISSION_FORWARD_SECONDS); without
   * it every re-emission is forwarded.
   */
  readonly throttle?: ReEmissionThrottle;
}

/**
 * Handles one message of the findings queue: each finding in it is skipped (sample), suppressed,
 * or coalesced into an incident, and the resulting `incident.*` messages are published to the
 * coordinator. Every finding's size is checked first, so a message that cannot be forwarded whole
 * fails before it changes anything. A failure on finding k leaves findings before it recorded; the
 * redelivery sees them as duplicates (and republishes anything left unpublished).
 */
export function createFindingsHandler(deps: FindingsHandlerDeps) {
  const count = (finding: Finding, outcome: FindingOutcome) =>
    deps.metrics.findingsTotal.inc({ source: finding.source, outcome });

  const handleFinding = async (
    finding: Finding,
    receivedAt: Date,
    receiveCount: number,
    dryRun: boolean,
    logger: Logger,
  ) => {
    const log = logger.child({ findingId: finding.id, findingType: finding.type, source: finding.source });
    if (finding.sample && !deps.acceptSampleFindings) {
      count(finding, FindingOutcome.sample);
      log.info('sample_finding_skipped');
      return;
    }
    const verdict = deps.suppressor.evaluate(finding, receivedAt);
    if (verdict.kind === 'suppressed') {
      count(finding, FindingOutcome.suppressed);
      deps.metrics.suppressionsTotal.inc({ rule: verdict.rule.name });
      log.info({ rule: verdict.rule.name, ruleReason: verdict.rule.reason }, 'finding_suppressed');
      return;
    }
    const unevaluated = verdict.kind === 'unevaluated';
    if (verdict.kind === 'unevaluated') {
      deps.metrics.suppressionErrorsTotal.inc({ rule: verdict.rule });
      log.error({ rule: verdict.rule, err: verdict.error }, 'suppression_evaluation_failed');
    }
    const result = await deps.store.record({
      finding,
      receivedAt,
      suppressionUnevaluated: unevaluated,
      dryRun,
    });
    const incidentLog = log.child({ incidentId: result.incidentId, correlationId: result.incidentId });
    // Counted when decided, before publishing: the decision is made once (by a conditional write),
    // whereas publishing may be retried by a later delivery, which must not count it again.
    const outcome = outcomeOf(result.decision, receiveCount);
    if (outcome === 'duplicate') deps.metrics.duplicatesTotal.inc({ source: finding.source });
    else count(finding, outcome);
    for (const entry of result.outbox) {
      const forward = async () => {
        const message = incidentMessage(entry, finding, { dryRun, now: deps.now });
        await deps.publisher.publish('coordinator', [message]);
        await deps.store.markPublished(finding, entry, dryRun);
        incidentLog.info(
          { messageId: message.id, type: message.type, kind: entry.kind },
          'incident_message_published',
        );
      };
      // Only this delivery's own re-emission may wait; an entry left over from an earlier delivery
      // (or a redelivery's) is sent now.
      if (result.decision === 're-emitted' && entry.slot === 'last' && deps.throttle) {
        const key = findingKey(finding, dryRun).pk.S as string;
        const decision = deps.throttle.offer(key, finding, forward);
        deps.metrics.reEmissionsTotal.inc({ handling: decision });
        if (decision === 'held') {
          incidentLog.debug({ messageId: entry.messageId, count: finding.count }, 'reemission_held');
          continue;
        }
      }
      await forward();
    }
    if (result.decision === 'opened') {
      incidentLog.info(
        { severityBand: finding.severity.band, suppressionUnevaluated: unevaluated },
        'incident_opened',
      );
    } else if (outcome === 'duplicate') {
      // At info, like every other fate of a finding: the log then accounts for each one delivered.
      incidentLog.info({ decision: result.decision }, 'finding_duplicate_ignored');
    } else {
      incidentLog.info({ decision: result.decision }, 'finding_coalesced');
    }
  };

  return async (parsed: ParsedMessage<FindingBatch>, context: HandlerContext): Promise<void> => {
    const receivedAt = deps.now();
    const findings = parsed.value.findings.map((finding) => fitFinding(finding));
    // IR_DRY_RUN makes every incident a dry run; a submitter can ask for one per message.
    const dryRun = deps.dryRun || parsed.value.dryRun;
    const logger = dryRun ? context.logger.child({ dryRun: true }) : context.logger;
    for (const finding of findings) {
      context.signal.throwIfAborted();
      await handleFinding(finding, receivedAt, context.receiveCount, dryRun, logger);
    }
  };
}

/**
 * The metric outcome of a coalescing decision. An older version (`stale`) is a real finding on its
 * first delivery; on a redelivery, like an exact `duplicate`, it was counted before.
 */
export function outcomeOf(decision: CoalescingDecision, receiveCount: number): FindingOutcome | 'duplicate' {
  switch (decision) {
    case 'opened':
      return FindingOutcome.accepted;
    case 'attached':
    case 're-emitted':
      return FindingOutcome.coalesced;
    case 'stale':
      return receiveCount > 1 ? 'duplicate' : FindingOutcome.coalesced;
    case 'duplicate':
      return 'duplicate';
  }
}
