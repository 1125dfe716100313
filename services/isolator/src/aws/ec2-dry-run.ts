import { type EC2Client, ModifyNetworkInterfaceAttributeCommand } from '@aws-sdk/client-ec2';
import { hasErrorCode, IsolatorError } from '../errors.js';

/**
 * Sends an EC2 write (`send` builds the command with the `DryRun` it is given), or in dry-run sends it with `DryRun: true` so AWS checks permissions and
 * parameters without changing anything. `DryRunOperation` means "would succeed"; any other error
 * (UnauthorizedOperation, a bad parameter) propagates, so dry-run reports what would fail too. A
 * dry run that returns normally means the endpoint ignored `DryRun` and changed state: that is an
 * error, never hidden.
 */
export async function sendEc2Write(
  send: (dryRun: boolean) => Promise<unknown>,
  dryRun: boolean,
): Promise<void> {
  try {
    await send(dryRun);
  } catch (error: unknown) {
    if (dryRun && hasErrorCode(error, 'DryRunOperation')) return;
    throw error;
  }
  if (dryRun) {
    throw new IsolatorError('the EC2 endpoint ignored DryRun and may have changed state', {
      retryable: false,
      reason: 'dry-run-ignored',
    });
  }
}

/**
 * Sets an ENI's security groups to exactly `groupIds` (a containment's isolation group, or a rollback's
 * recorded groups), through {@link sendEc2Write}: in dry-run only AWS's check runs.
 */
export function setInterfaceGroups(
  ec2: EC2Client,
  networkInterfaceId: string,
  groupIds: readonly string[],
  dryRun: boolean,
): Promise<void> {
  return sendEc2Write(
    (DryRun) =>
      ec2.send(
        new ModifyNetworkInterfaceAttributeCommand({
          NetworkInterfaceId: networkInterfaceId,
          Groups: [...groupIds],
          DryRun,
        }),
      ),
    dryRun,
  );
}
