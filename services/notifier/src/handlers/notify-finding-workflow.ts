import type { GuardDutyClient } from '@aws-sdk/client-guardduty';
import type { SecurityHubClient } from '@aws-sdk/client-securityhub';
import type { FindingSyncItem } from '@ir/contracts';
import { failed, isRetryable, type StepHandler, skipped, succeeded } from '@ir/runtime';
import type { Counter } from 'prom-client';
import { ARCHIVED, guardDutyArchiveCalls, ownDetectorId } from '../finding-sync/guardduty.js';
import type { SyncTarget } from '../finding-sync/metrics.js';
import { describeError, type SyncOutcome, syncOne } from '../finding-sync/outcome.js';
import { securityHubCalls, wantedState } from '../finding-sync/security-hub.js';

/**
 * Clients of our own account (the security account, the Security Hub and GuardDuty administrator)
 * in a finding's region. Why not the finding's account: only the GuardDuty administrator may archive
 * a member's findings, and Security Hub's administrator updates every member's findings.
 */
export interface FindingSyncDeps {
  readonly securityHub: (region: string) => Promise<SecurityHubClient>;
  readonly guardDuty: (region: string) => Promise<GuardDutyClient>;
  readonly syncTotal: Counter<'target' | 'outcome'>;
}

/** The `errorName` of the `step.failed` answered when any finding was not marked. */
export const FINDING_SYNC_FAILED = 'FindingSyncFailed';

/** What the step reports for one finding. */
interface FindingResult {
  readonly source: string;
  readonly id: string;
  readonly accountId: string;
  readonly region: string;
  securityHub?: SyncOutcome & { readonly api: 'v1' | 'v2' };
  guardDuty?: SyncOutcome;
}

/**
 * The `notify.finding-workflow` action: for each finding, sets its Security Hub workflow status (v1
 * or v2, as the finding came) with the note, and archives it in GuardDuty when `archiveGuardDuty`.
 * Each change is read first (a finding already in the wanted state is left alone, so a redelivered
 * command does nothing twice) and read back. The step succeeds only when every finding reads back in
 * the wanted state; otherwise it fails (`FindingSyncFailed`) naming each finding and AWS's error. Dry
 * run reads only and lists what would change. The coordinator never lets this step hold up
 * containment, whatever it answers.
 */
export function createNotifyFindingWorkflowHandler(
  deps: FindingSyncDeps,
): StepHandler<'notify.finding-workflow'> {
  return async function notifyFindingWorkflow(params, context) {
    const { signal, dryRun } = context;
    const change = { status: params.workflowStatus, note: params.note, updatedBy: params.noteUpdatedBy };
    const detectors = new Map<string, Promise<string | undefined>>();
    const count = (target: SyncTarget, outcome: SyncOutcome) =>
      deps.syncTotal.inc({ target, outcome: outcome.outcome.replaceAll('-', '_') });

    async function archive(item: FindingSyncItem, findingId: string): Promise<SyncOutcome> {
      const client = await deps.guardDuty(item.region);
      let detector = detectors.get(item.region);
      if (!detector) {
        detector = ownDetectorId(client, signal);
        detectors.set(item.region, detector);
      }
      let detectorId: string | undefined;
      try {
        detectorId = await detector;
      } catch (error: unknown) {
        detectors.delete(item.region);
        if (isRetryable(error)) throw error;
        return {
          outcome: 'failed',
          reason: `GuardDuty ListDetectors in ${item.region}: ${describeError(error)}`,
        };
      }
      if (!detectorId) {
        return {
          outcome: 'failed',
          reason: `GuardDuty finding ${findingId} in ${item.region}: this account has no GuardDuty detector there to archive it with`,
        };
      }
      return syncOne(guardDutyArchiveCalls(client, detectorId, findingId, item.region, signal), {
        wanted: ARCHIVED,
        dryRun,
      });
    }

    const results: FindingResult[] = [];
    for (const item of params.findings) {
      const result: FindingResult = {
        source: item.source,
        id: item.id,
        accountId: item.accountId,
        region: item.region,
      };
      if (item.securityHub) {
        const ref = item.securityHub;
        const client = await deps.securityHub(item.region);
        const outcome = await syncOne(securityHubCalls(client, ref, item.region, change, signal), {
          wanted: wantedState(ref, params.workflowStatus),
          dryRun,
        });
        count(ref.api === 'v1' ? 'securityhub_v1' : 'securityhub_v2', outcome);
        result.securityHub = { api: ref.api, ...outcome };
      }
      if (params.archiveGuardDuty && item.guardDutyFindingId) {
        const outcome = await archive(item, item.guardDutyFindingId);
        count('guardduty', outcome);
        result.guardDuty = outcome;
      }
      results.push(result);
    }

    const summary = { phase: params.phase, workflowStatus: params.workflowStatus, findings: results };
    const touched = results.filter((r) => r.securityHub || r.guardDuty);
    if (touched.length === 0) {
      return skipped('no finding of the incident has a Security Hub or GuardDuty workflow to mark', summary);
    }
    const reasons = touched.flatMap((r) =>
      [r.securityHub, r.guardDuty].flatMap((o) => (o?.outcome === 'failed' ? [o.reason] : [])),
    );
    if (reasons.length > 0) {
      context.logger.error({ phase: params.phase, failures: reasons.length }, 'finding_sync_failed');
      return failed(
        `Could not mark ${reasons.length} finding change(s) as ${params.workflowStatus}${params.archiveGuardDuty ? ' / archived' : ''}: ${reasons.join('; ')}`,
        { errorName: FINDING_SYNC_FAILED, detail: summary },
      );
    }
    context.logger.info({ phase: params.phase, findings: touched.length, dryRun }, 'finding_sync_done');
    return succeeded(
      { ...summary, ...(dryRun ? { dryRun: true } : {}) },
      dryRun
        ? {}
        : {
            verified: {
              findings: touched.map((r) => ({
                id: r.id,
                ...(r.securityHub ? { securityHub: stateOf(r.securityHub) } : {}),
                ...(r.guardDuty ? { guardDuty: stateOf(r.guardDuty) } : {}),
              })),
            },
          },
    );
  };
}

/** The state a finding was read back in. */
function stateOf(outcome: SyncOutcome): string | undefined {
  if (outcome.outcome === 'updated') return outcome.after;
  if (outcome.outcome === 'already-in-state') return outcome.state;
  return undefined;
}
