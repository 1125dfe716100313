import {
  BatchUpdateFindingsCommand,
  BatchUpdateFindingsV2Command,
  GetFindingsCommand,
  GetFindingsV2Command,
  type SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import type { FindingWorkflowStatus, SecurityHubFindingRef } from '@ir/contracts';
import type { ReadState, SyncCalls } from './outcome.js';

/**
 * Security Hub v2 (OCSF) has no `Workflow.Status`: the same decision is its `status_id`. NOTIFIED is
 * "In Progress" (someone is on it), RESOLVED "Resolved", SUPPRESSED "Suppressed" (OCSF 1.x ids,
 * which `BatchUpdateFindingsV2` takes as `StatusId`).
 */
export const ocsfStatusIds: Readonly<Record<FindingWorkflowStatus, number>> = {
  NOTIFIED: 2,
  RESOLVED: 4,
  SUPPRESSED: 3,
};

/** What one Security Hub update writes besides the status. */
export interface SecurityHubChange {
  readonly status: FindingWorkflowStatus;
  readonly note: string;
  readonly updatedBy: string;
}

/** The words a Security Hub finding's state is compared in: v1's status, or v2's `status_id <n>`. */
export function wantedState(ref: SecurityHubFindingRef, status: FindingWorkflowStatus): string {
  return ref.api === 'v1' ? status : `status_id ${ocsfStatusIds[status]}`;
}

/**
 * Reads and updates one finding in Security Hub, v1 (ASFF: `GetFindings`, `BatchUpdateFindings` with
 * `Workflow.Status` and `Note`) or v2 (OCSF: `GetFindingsV2`, `BatchUpdateFindingsV2` with `StatusId`
 * and `Comment`). A finding left in `UnprocessedFindings` is refused with AWS's error code and message.
 */
export function securityHubCalls(
  client: SecurityHubClient,
  ref: SecurityHubFindingRef,
  region: string,
  change: SecurityHubChange,
  signal: AbortSignal,
): SyncCalls {
  if (ref.api === 'v1') {
    return {
      label: `Security Hub finding ${ref.id} (${ref.productArn}) in ${region}`,
      read: () => readV1(client, ref, signal),
      async write() {
        const output = await client.send(
          new BatchUpdateFindingsCommand({
            FindingIdentifiers: [{ Id: ref.id, ProductArn: ref.productArn }],
            Workflow: { Status: change.status },
            Note: { Text: change.note, UpdatedBy: change.updatedBy },
          }),
          { abortSignal: signal },
        );
        const refused = output.UnprocessedFindings?.find((item) => item.FindingIdentifier?.Id === ref.id);
        if (refused) return `${refused.ErrorCode ?? 'unprocessed'}: ${refused.ErrorMessage ?? 'no message'}`;
        if (!output.ProcessedFindings?.some((item) => item.Id === ref.id))
          return 'BatchUpdateFindings listed it as neither processed nor unprocessed';
        return undefined;
      },
    };
  }
  return {
    label: `Security Hub v2 finding ${ref.metadataUid} in ${region}`,
    read: () => readV2(client, ref.metadataUid, signal),
    async write() {
      const output = await client.send(
        new BatchUpdateFindingsV2Command({
          MetadataUids: [ref.metadataUid],
          StatusId: ocsfStatusIds[change.status],
          Comment: change.note,
        }),
        { abortSignal: signal },
      );
      const refused = output.UnprocessedFindings?.find((item) => item.MetadataUid === ref.metadataUid);
      if (refused) return `${refused.ErrorCode ?? 'unprocessed'}: ${refused.ErrorMessage ?? 'no message'}`;
      if (!output.ProcessedFindings?.some((item) => item.MetadataUid === ref.metadataUid))
        return 'BatchUpdateFindingsV2 listed it as neither processed nor unprocessed';
      return undefined;
    },
  };
}

async function readV1(
  client: SecurityHubClient,
  ref: Extract<SecurityHubFindingRef, { api: 'v1' }>,
  signal: AbortSignal,
): Promise<ReadState> {
  const output = await client.send(
    new GetFindingsCommand({
      Filters: {
        Id: [{ Value: ref.id, Comparison: 'EQUALS' }],
        ProductArn: [{ Value: ref.productArn, Comparison: 'EQUALS' }],
      },
      MaxResults: 100,
    }),
    { abortSignal: signal },
  );
  // Matched again here: an emulator may ignore filters, and only this exact finding counts.
  const finding = output.Findings?.find((f) => f.Id === ref.id && f.ProductArn === ref.productArn);
  if (!finding) return { found: false };
  // A finding nobody has touched has `Workflow.Status` NEW (older findings may omit `Workflow`).
  return { found: true, state: finding.Workflow?.Status ?? 'NEW' };
}

async function readV2(
  client: SecurityHubClient,
  metadataUid: string,
  signal: AbortSignal,
): Promise<ReadState> {
  const output = await client.send(
    new GetFindingsV2Command({
      Filters: {
        CompositeFilters: [
          {
            StringFilters: [
              { FieldName: 'metadata.uid', Filter: { Value: metadataUid, Comparison: 'EQUALS' } },
            ],
          },
        ],
      },
      MaxResults: 10,
    }),
    { abortSignal: signal },
  );
  const finding = output.Findings?.find((f) => metadataUidOf(f) === metadataUid);
  if (!finding) return { found: false };
  const statusId = (finding as { status_id?: unknown }).status_id;
  return { found: true, state: `status_id ${typeof statusId === 'number' ? statusId : 'unknown'}` };
}

/** `metadata.uid` of an OCSF finding document (the SDK types v2 findings as plain JSON). */
function metadataUidOf(finding: unknown): string | undefined {
  const metadata = (finding as { metadata?: { uid?: unknown } } | null)?.metadata;
  return typeof metadata?.uid === 'string' ? metadata.uid : undefined;
}
