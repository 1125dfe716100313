import { CopySnapshotCommand, type EC2Client, type Tag } from '@aws-sdk/client-ec2';
import { errorMessage, errorName } from '@ir/runtime';
import { describeOwnSnapshots, SnapshotKind, SnapshotTag } from './snapshot-tags.js';

/**
 * The copy of an evidence snapshot owned by the forensics account: made, or why not (yet). `created`
 * is true on the call that started it.
 */
export type ForensicsCopyRecord =
  | {
      readonly accountId: string;
      readonly snapshotId: string;
      readonly state: string;
      readonly sourceSnapshotId: string;
      readonly created: boolean;
    }
  | { readonly accountId: string; readonly status: string; readonly misses: number }
  | { readonly accountId: string; readonly status: string };

/**
 * How many looks in a row the forensics account may fail to see a snapshot whose share was read
 * back before the copy is recorded as failed. Why not forever: the share is verified, so a snapshot
 * still invisible to the forensics account after that is a real problem (a key policy, an SCP) for a
 * person, and the watch must end.
 */
export const MAX_COPY_MISSES = 3;

/** Errors that mean the forensics account cannot (yet) read the shared snapshot or its key. */
const NOT_VISIBLE = new Set(['InvalidSnapshot.NotFound', 'InvalidSnapshotID.NotFound', 'IncorrectState']);

/** What {@link forensicsCopy} needs. */
export interface ForensicsCopyInput {
  /** EC2 in the forensics account (through the client factory). */
  readonly ec2: EC2Client;
  readonly accountId: string;
  /** The KMS copy in the member account, shared with the forensics account. */
  readonly sharedSnapshotId: string;
  readonly region: string;
  /** The key the copy is encrypted with: usable by the forensics account (see the README). */
  readonly kmsKeyId: string;
  /** The evidence tags plus `ir:source-snapshot` = the shared snapshot. */
  readonly tags: readonly Tag[];
  /** Looks so far at which the snapshot was not visible. */
  readonly misses: number;
}

/**
 * Copies a shared evidence snapshot into the forensics account, so the evidence survives the member
 * account being closed or taken over (sharing alone does not: the owner can revoke or delete). Found
 * again by its tags, so it is made once however often this runs.
 */
export async function forensicsCopy(input: ForensicsCopyInput): Promise<ForensicsCopyRecord> {
  const { ec2, accountId, sharedSnapshotId } = input;
  const [existing] = await describeOwnSnapshots(ec2, [
    { Name: `tag:${SnapshotTag.kind}`, Values: [SnapshotKind.forensicsCopy] },
    { Name: `tag:${SnapshotTag.sourceSnapshot}`, Values: [sharedSnapshotId] },
  ]);
  if (existing?.SnapshotId) {
    return {
      accountId,
      snapshotId: existing.SnapshotId,
      state: existing.State ?? 'unknown',
      sourceSnapshotId: sharedSnapshotId,
      created: false,
    };
  }
  try {
    const output = await ec2.send(
      new CopySnapshotCommand({
        SourceSnapshotId: sharedSnapshotId,
        SourceRegion: input.region,
        Encrypted: true,
        KmsKeyId: input.kmsKeyId,
        Description: `Forensics-account copy of ${sharedSnapshotId}`,
        TagSpecifications: [
          {
            ResourceType: 'snapshot',
            Tags: [...input.tags, { Key: SnapshotTag.kind, Value: SnapshotKind.forensicsCopy }],
          },
        ],
      }),
    );
    if (!output.SnapshotId) throw new Error(`CopySnapshot of ${sharedSnapshotId} returned no id`);
    return {
      accountId,
      snapshotId: output.SnapshotId,
      state: 'pending',
      sourceSnapshotId: sharedSnapshotId,
      created: true,
    };
  } catch (error: unknown) {
    if (!NOT_VISIBLE.has(errorName(error))) throw error;
    const misses = input.misses + 1;
    const why = `${errorName(error)}: ${errorMessage(error)}`;
    return misses >= MAX_COPY_MISSES
      ? {
          accountId,
          status: `failed: account ${accountId} could not copy ${sharedSnapshotId} after ${misses} attempts although the share was read back (${why}); check the key policy of the copy key and SCPs`,
        }
      : {
          accountId,
          status: `waiting: ${sharedSnapshotId} not visible to ${accountId} yet (${why})`,
          misses,
        };
  }
}
