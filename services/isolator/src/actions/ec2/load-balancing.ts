import {
  AttachInstancesCommand,
  type AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  DetachInstancesCommand,
  SetDesiredCapacityCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  DeregisterTargetsCommand,
  type ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { VerificationFailedError } from '../../errors.js';
import { autoScalingCapacityOf, type TargetRegistration } from './instance-pre-state.js';

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
 * one; {@link undoAttachIncrement} takes that one back. Returns the desired capacity it left.
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

/** What {@link undoAttachIncrement} found and left. */
export interface CapacityRestored {
  readonly changes: string[];
  /** Desired capacity when it looked (after the attach), and as read back after its change. */
  readonly desiredFound: number | undefined;
  readonly desiredCapacity: number | undefined;
  readonly notes: string[];
}

/**
 * Takes back the one instance of desired capacity that the rollback's AttachInstances added: sets
 * desired to `desiredBeforeAttach` (what it was just before the attach) when it is now higher, never
 * below the group's current minimum, with HonorCooldown=false, and reads it back. Why back to the
 * value before the attach, not to the one recorded at containment: a person may have resized the
 * group during the incident, and only the rollback's own change is its to undo. Lowering desired
 * capacity makes the group terminate one instance, chosen by its termination policy.
 */
export async function undoAttachIncrement(
  autoScaling: AutoScalingClient,
  groupName: string,
  desiredBeforeAttach: number,
  dryRun: boolean,
): Promise<CapacityRestored> {
  const found = await autoScalingCapacityOf(autoScaling, groupName);
  if (!found) {
    return {
      changes: [],
      desiredFound: undefined,
      desiredCapacity: undefined,
      notes: [`Auto Scaling group ${groupName} no longer exists`],
    };
  }
  // In a dry run nothing was attached: what the attach would have left is one more than now.
  const desiredFound = dryRun ? found.desired + 1 : found.desired;
  const wanted = Math.max(found.min, desiredBeforeAttach);
  const notes: string[] = [];
  if (wanted > desiredBeforeAttach) {
    notes.push(`the group's minimum size ${found.min} keeps desired capacity at ${wanted}`);
  }
  if (desiredFound <= wanted) {
    return { changes: [], desiredFound, desiredCapacity: desiredFound, notes };
  }
  const changes = [
    `set desired capacity of Auto Scaling group ${groupName} from ${desiredFound} back to ${wanted} (the group terminates ${desiredFound - wanted} instance(s) by its termination policy)`,
  ];
  if (dryRun) return { changes, desiredFound, desiredCapacity: wanted, notes };
  await autoScaling.send(
    new SetDesiredCapacityCommand({
      AutoScalingGroupName: groupName,
      DesiredCapacity: wanted,
      HonorCooldown: false,
    }),
  );
  const readBack = await autoScalingCapacityOf(autoScaling, groupName);
  if (readBack?.desired !== wanted) {
    throw new VerificationFailedError(
      `desired capacity of ${groupName}`,
      [`desired capacity is ${readBack?.desired ?? '(group gone)'}, expected ${wanted}`],
      { groupName },
    );
  }
  return { changes, desiredFound, desiredCapacity: readBack.desired, notes };
}
