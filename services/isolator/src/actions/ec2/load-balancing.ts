import {
  AttachInstancesCommand,
  type AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  DetachInstancesCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  DeregisterTargetsCommand,
  type ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { TargetRegistration } from './instance-pre-state.js';

/** Groups registrations by target group, so each group gets one call. */
function byGroup(registrations: readonly TargetRegistration[]): Map<string, TargetRegistration[]> {
  const groups = new Map<string, TargetRegistration[]>();
  for (const registration of registrations) {
    groups.set(registration.targetGroupArn, [
      ...(groups.get(registration.targetGroupArn) ?? []),
      registration,
    ]);
  }
  return groups;
}

function targetsOf(registrations: readonly TargetRegistration[]) {
  return registrations.map((registration) => ({
    Id: registration.id,
    ...(registration.port !== undefined ? { Port: registration.port } : {}),
    ...(registration.availabilityZone ? { AvailabilityZone: registration.availabilityZone } : {}),
  }));
}

async function changeTargets(
  elbv2: ElasticLoadBalancingV2Client,
  registrations: readonly TargetRegistration[],
  change: 'register' | 'deregister',
  dryRun: boolean,
): Promise<string[]> {
  const changes: string[] = [];
  for (const [TargetGroupArn, targets] of byGroup(registrations)) {
    const ids = targets.map((target) => target.id).join(', ');
    changes.push(`${change} ${ids} ${change === 'register' ? 'in' : 'from'} target group ${TargetGroupArn}`);
    if (dryRun) continue;
    const input = { TargetGroupArn, Targets: targetsOf(targets) };
    if (change === 'register') await elbv2.send(new RegisterTargetsCommand(input));
    else await elbv2.send(new DeregisterTargetsCommand(input));
  }
  return changes;
}

/** Deregisters every registration (TRAPS 5); returns what it changed, or would change in dry-run. */
export function deregisterTargets(
  elbv2: ElasticLoadBalancingV2Client,
  registrations: readonly TargetRegistration[],
  dryRun: boolean,
): Promise<string[]> {
  return changeTargets(elbv2, registrations, 'deregister', dryRun);
}

/** Registers the recorded targets again (rollback). */
export function registerTargets(
  elbv2: ElasticLoadBalancingV2Client,
  registrations: readonly TargetRegistration[],
  dryRun: boolean,
): Promise<string[]> {
  return changeTargets(elbv2, registrations, 'register', dryRun);
}

/**
 * Detaches the instance from its Auto Scaling group without lowering desired capacity (TRAPS 4):
 * Auto Scaling launches a fresh instance to replace it, and will no longer terminate this one.
 */
export async function detachFromAutoScaling(
  autoScaling: AutoScalingClient,
  groupName: string,
  instanceId: string,
  dryRun: boolean,
): Promise<string[]> {
  if (!dryRun) {
    await autoScaling.send(
      new DetachInstancesCommand({
        AutoScalingGroupName: groupName,
        InstanceIds: [instanceId],
        ShouldDecrementDesiredCapacity: false,
      }),
    );
  }
  return [`detach ${instanceId} from Auto Scaling group ${groupName} (desired capacity kept)`];
}

/**
 * Attaches the instance to its group again (rollback). AttachInstances raises desired capacity by
 * one, and the replacement launched at containment keeps running: the result says so, and which
 * capacity the group now has, for a person to scale in deliberately.
 */
export async function attachToAutoScaling(
  autoScaling: AutoScalingClient,
  groupName: string,
  instanceId: string,
  dryRun: boolean,
): Promise<{ changes: string[]; desiredCapacity: number | undefined }> {
  if (!dryRun) {
    await autoScaling.send(
      new AttachInstancesCommand({ AutoScalingGroupName: groupName, InstanceIds: [instanceId] }),
    );
  }
  const output = await autoScaling.send(
    new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [groupName] }),
  );
  return {
    changes: [`attach ${instanceId} to Auto Scaling group ${groupName} (raises desired capacity by one)`],
    desiredCapacity: output.AutoScalingGroups?.[0]?.DesiredCapacity,
  };
}
