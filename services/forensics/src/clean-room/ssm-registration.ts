import type { SSMClient } from '@aws-sdk/client-ssm';
import { CleanRoomNotReadyError } from '../errors.js';
import type { ActionDeps } from '../handlers/types.js';

/**
 * Waits (by putting the command back, see defer.ts) for the analysis instance's SSM agent to
 * register through the VPC endpoints: Online in `DescribeInstanceInformation`. With `IR_SSM_INVENTORY=unavailable` (emulators without DescribeInstanceInformation) the check is
 * skipped and recorded as such: the commands are sent and their outcomes say what happened.
 */
export async function ssmRegistration(
  deps: Pick<ActionDeps, 'config' | 'managedInstance'>,
  ssm: SSMClient,
  instanceId: string,
) {
  if (deps.config.IR_SSM_INVENTORY === 'unavailable') {
    return {
      checked: false,
      reason:
        'IR_SSM_INVENTORY=unavailable: registration with SSM was not checked; commands were sent directly',
    };
  }
  const managed = await deps.managedInstance(ssm, instanceId);
  if (!managed.managed) {
    throw new CleanRoomNotReadyError(
      `waiting for analysis instance ${instanceId} to register with SSM: ${managed.reason ?? 'not managed'}`,
    );
  }
  return { checked: true, ...managed };
}
