import { DescribeSnapshotsCommand, type EC2Client, type Filter, type Snapshot } from '@aws-sdk/client-ec2';

/** Tag keys on evidence snapshots; reruns and follow-ups find their own snapshots by them. */
export const SnapshotTag = {
  incidentId: 'ir:incident-id',
  stepId: 'ir:step-id',
  sourceInstance: 'ir:source-instance',
  volumeId: 'ir:volume-id',
  device: 'ir:device',
  purpose: 'ir:purpose',
  kind: 'ir:kind',
  sourceSnapshot: 'ir:source-snapshot',
} as const;

/** Value of the purpose tag, so nobody deletes an evidence snapshot as clutter. */
export const FORENSIC_PURPOSE = 'forensic evidence';

/** `ir:kind` values: the snapshot itself, its customer-managed-key copy, and the copy in the forensics account. */
export const SnapshotKind = {
  source: 'source',
  kmsCopy: 'kms-copy',
  forensicsCopy: 'forensics-copy',
} as const;

/** The tag value of a snapshot, if it has the tag. */
export const tagOf = (snapshot: Snapshot, key: string) =>
  snapshot.Tags?.find((tag) => tag.Key === key)?.Value;

/** Every snapshot this account owns that matches the filters, all pages. */
export async function describeOwnSnapshots(ec2: EC2Client, filters: Filter[]): Promise<Snapshot[]> {
  const snapshots: Snapshot[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ec2.send(
      new DescribeSnapshotsCommand({
        OwnerIds: ['self'],
        Filters: filters,
        ...(nextToken ? { NextToken: nextToken } : {}),
      }),
    );
    snapshots.push(...(page.Snapshots ?? []));
    nextToken = page.NextToken;
  } while (nextToken);
  return snapshots;
}
