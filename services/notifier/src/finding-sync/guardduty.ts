import {
  ArchiveFindingsCommand,
  GetFindingsCommand,
  type GuardDutyClient,
  ListDetectorsCommand,
} from '@aws-sdk/client-guardduty';
import type { SyncCalls } from './outcome.js';

/** The state an archived GuardDuty finding reads back as (`Service.Archived`). */
export const ARCHIVED = 'archived';

/**
 * The detector of our own account in the client's region. Why ours and not the one in the finding's
 * ARN: in an organisation only the GuardDuty administrator may archive findings, and it names its own
 * detector with the member's finding ids. Each region has at most one detector.
 */
export async function ownDetectorId(
  client: GuardDutyClient,
  signal: AbortSignal,
): Promise<string | undefined> {
  const output = await client.send(new ListDetectorsCommand({ MaxResults: 1 }), { abortSignal: signal });
  return output.DetectorIds?.[0];
}

/**
 * Reads and archives one GuardDuty finding (`GetFindings`, `ArchiveFindings`) through `detectorId`.
 * Archiving is how GuardDuty records a false positive; a later occurrence of the same activity still
 * raises a new finding, so nothing is hidden for good.
 */
export function guardDutyArchiveCalls(
  client: GuardDutyClient,
  detectorId: string,
  findingId: string,
  region: string,
  signal: AbortSignal,
): SyncCalls {
  return {
    label: `GuardDuty finding ${findingId} (detector ${detectorId}) in ${region}`,
    async read() {
      const output = await client.send(
        new GetFindingsCommand({ DetectorId: detectorId, FindingIds: [findingId] }),
        {
          abortSignal: signal,
        },
      );
      const finding = output.Findings?.find((f) => f.Id === findingId);
      if (!finding) return { found: false };
      return { found: true, state: finding.Service?.Archived === true ? ARCHIVED : 'active' };
    },
    async write() {
      // ArchiveFindings answers an empty body: the read back is the only proof.
      await client.send(new ArchiveFindingsCommand({ DetectorId: detectorId, FindingIds: [findingId] }), {
        abortSignal: signal,
      });
      return undefined;
    },
  };
}
