import {
  DescribeSnapshotAttributeCommand,
  type EC2Client,
  ModifySnapshotAttributeCommand,
} from '@aws-sdk/client-ec2';
import { errorMessage, errorName } from '@ir/runtime';
import { StepRefusedError } from '../errors.js';

/** What became of sharing one evidence snapshot with the forensics account. */
export type ShareRecord =
  | { readonly accountId: string; readonly snapshotId: string; readonly verified: true }
  | { readonly accountId: string; readonly status: string };

/** Errors that mean "not yet" (the copy is still pending), not "never". */
const NOT_READY = new Set(['IncorrectState', 'InvalidSnapshot.InUse']);

/**
 * Gives the forensics account permission to create volumes from an evidence snapshot, then reads the
 * permission back. Why: a snapshot kept only in the member account dies with it (a compromised or
 * closed account); shared, the forensics account can copy it into its own account. Idempotent: adding
 * a permission the snapshot already has changes nothing. A copy still pending is recorded as waiting,
 * not failed, because the snapshot itself exists.
 */
export async function shareSnapshot(
  ec2: EC2Client,
  snapshotId: string,
  forensicsAccountId: string,
): Promise<ShareRecord> {
  try {
    await ec2.send(
      new ModifySnapshotAttributeCommand({
        SnapshotId: snapshotId,
        Attribute: 'createVolumePermission',
        OperationType: 'add',
        UserIds: [forensicsAccountId],
      }),
    );
  } catch (error: unknown) {
    if (NOT_READY.has(errorName(error))) {
      return {
        accountId: forensicsAccountId,
        status: `waiting: ${snapshotId} cannot be shared yet (${errorMessage(error)}); re-run the step once it completes`,
      };
    }
    throw error;
  }
  const readBack = await ec2.send(
    new DescribeSnapshotAttributeCommand({ SnapshotId: snapshotId, Attribute: 'createVolumePermission' }),
  );
  const shared = (readBack.CreateVolumePermissions ?? []).some(
    (permission) => permission.UserId === forensicsAccountId,
  );
  if (!shared) {
    throw new StepRefusedError(
      `snapshot ${snapshotId} does not list account ${forensicsAccountId} in its createVolumePermission after sharing it`,
      'share-not-verified',
      { context: { snapshotId, forensicsAccountId } },
    );
  }
  return { accountId: forensicsAccountId, snapshotId, verified: true };
}
