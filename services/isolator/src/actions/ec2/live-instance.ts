import { DescribeInstancesCommand, type EC2Client, type Instance } from '@aws-sdk/client-ec2';
import { hasErrorCode, ResourceNotFoundError } from '../../errors.js';

/**
 * The instance, read live. An id EC2 does not know (or cannot parse), or an instance in one of the
 * `gone` states, is a `ResourceNotFoundError` naming the state: a permanent failure, not a retry.
 */
export async function describeLiveInstance(
  ec2: EC2Client,
  instanceId: string,
  gone: readonly string[] = ['terminated'],
): Promise<Instance> {
  let instance: Instance | undefined;
  try {
    const output = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    instance = output.Reservations?.[0]?.Instances?.[0];
  } catch (error: unknown) {
    if (!hasErrorCode(error, 'InvalidInstanceID.NotFound', 'InvalidInstanceID.Malformed')) throw error;
  }
  const state = instance?.State?.Name;
  if (!instance || (state !== undefined && gone.includes(state))) {
    throw new ResourceNotFoundError(`instance ${instanceId} not found${state ? ` (${state})` : ''}`, {
      instanceId,
    });
  }
  return instance;
}
