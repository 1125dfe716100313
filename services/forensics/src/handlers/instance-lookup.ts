import { DescribeInstancesCommand, type EC2Client, type Instance } from '@aws-sdk/client-ec2';
import { StepRefusedError } from '../errors.js';

/**
 * The instance as EC2 describes it. A missing instance is a permanent failure the coordinator must
 * hear about (the evidence is gone), not a retry.
 */
export async function describeInstance(ec2: EC2Client, instanceId: string): Promise<Instance> {
  const output = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
  const instance = output.Reservations?.[0]?.Instances?.[0];
  if (!instance) {
    throw new StepRefusedError(
      `instance ${instanceId} was not found in the target account and region`,
      'not-found',
    );
  }
  return instance;
}

/** Device name of each EBS volume attached to the instance, by volume id. */
export function deviceNamesOf(instance: Instance | undefined): Map<string, string> {
  return new Map(
    (instance?.BlockDeviceMappings ?? []).flatMap((mapping) =>
      mapping.Ebs?.VolumeId ? [[mapping.Ebs.VolumeId, mapping.DeviceName ?? 'unknown'] as const] : [],
    ),
  );
}
