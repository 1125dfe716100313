import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CreateTagsCommand, DeleteTagsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { sendEc2Write, setInterfaceGroups } from '../../aws/ec2-dry-run.js';
import { readBackUntilVerified } from '../../aws/read-back.js';
import { IrTag, tagList, tagMap } from '../../aws/tags.js';
import { VerificationFailedError } from '../../errors.js';
import { parsePreState } from '../pre-state.js';
import { type StepHandler, succeeded } from '@ir/runtime';
import {
  autoScalingCapacityOf,
  autoScalingGroupOf,
  describeInstance,
  InstancePreState,
  interfacesOf,
  readProtections,
  targetRegistrationsOf,
  volumesOf,
} from './instance-pre-state.js';
import {
  attachToAutoScaling,
  type CapacityRestored,
  registerTargets,
  undoAttachIncrement,
} from './load-balancing.js';
import { preStateTagKeys } from './pre-state-tags.js';
import { applyProtections } from './protections.js';
import { readBackRestored } from './verify-instance.js';

/**
 * `rollback.ec2-instance`: puts every ENI's original groups back, the protections and
 * DeleteOnTermination flags as they were, the target-group registrations and the Auto Scaling
 * membership, and the tags; then reads it all back. What cannot be restored (an ENI detached since,
 * a group that no longer exists) is listed in `notRestored`. The shared isolation and conversion
 * groups stay: other instances in the VPC may use them.
 *
 * Auto Scaling: AttachInstances raises the group's desired capacity by one (containment detached the
 * instance without lowering it, so a replacement was launched). The rollback takes back exactly that
 * one: it records desired capacity on the instance (`ir:asg-desired-before-attach`) before attaching,
 * then sets it back to that value (never below the group's minimum) and reads it back. A repeat that
 * finds the instance already attached and the record still there (a lost answer, a crash after the
 * attach) converges on the same value instead of lowering twice. The result reports the capacity
 * recorded at containment, before and after the attach, and what it left.
 */
export function rollbackEc2Instance(): StepHandler<'rollback.ec2-instance'> {
  return async (params, context) => {
    const preState = parsePreState(InstancePreState, params.preState, 'rollback.ec2-instance');
    const clients = {
      ec2: await context.client(EC2Client),
      autoScaling: await context.client(AutoScalingClient),
      elbv2: await context.client(ElasticLoadBalancingV2Client),
    };
    const { ec2 } = clients;
    const { dryRun } = context;
    const { instanceId } = preState;
    const instance = await describeInstance(ec2, instanceId);
    const changes: string[] = [];
    const notRestored: { item: string; reason: string }[] = [];

    const attached = interfacesOf(instance);
    for (const eni of preState.networkInterfaces) {
      const now = attached.find((candidate) => candidate.networkInterfaceId === eni.networkInterfaceId);
      if (!now) {
        notRestored.push({ item: eni.networkInterfaceId, reason: 'no longer attached to the instance' });
        continue;
      }
      if ([...now.groupIds].sort().join() === [...eni.groupIds].sort().join()) continue;
      changes.push(`restore groups ${eni.groupIds.join(', ')} on ${eni.networkInterfaceId}`);
      await setInterfaceGroups(ec2, eni.networkInterfaceId, eni.groupIds, dryRun);
    }

    const current = { protections: await readProtections(ec2, instanceId), volumes: volumesOf(instance) };
    const wanted = { protections: preState.attributes, volumes: preState.volumes };
    changes.push(...(await applyProtections(ec2, instanceId, current, wanted, dryRun)));

    const registered = await targetRegistrationsOf(clients.elbv2, instance);
    const missing = preState.targets.filter(
      (target) => !registered.some((r) => r.targetGroupArn === target.targetGroupArn && r.id === target.id),
    );
    changes.push(...(await registerTargets(clients.elbv2, missing, dryRun)));

    const tags = tagMap(instance.Tags);
    const marker = IrTag.asgDesiredBeforeAttach;
    let markerWritten = false;
    let restored: (CapacityRestored & { desiredBeforeAttach: number }) | undefined;
    let attachedDesired: number | undefined;
    if (preState.autoScalingGroupName) {
      const groupName = preState.autoScalingGroupName;
      const group = await autoScalingGroupOf(clients.autoScaling, instanceId);
      if (group === null) {
        const before = await autoScalingCapacityOf(clients.autoScaling, groupName);
        if (before) {
          // Write-ahead: a repeat after the attach must know the value to return to.
          await sendEc2Write(
            (DryRun) =>
              ec2.send(
                new CreateTagsCommand({
                  Resources: [instanceId],
                  Tags: [{ Key: marker, Value: String(before.desired) }],
                  DryRun,
                }),
              ),
            dryRun,
          );
          markerWritten = !dryRun;
        }
        const attachedAgain = await attachToAutoScaling(clients.autoScaling, groupName, instanceId, dryRun);
        changes.push(...attachedAgain.changes);
        attachedDesired = attachedAgain.desiredCapacity;
        if (before) {
          const undone = await undoAttachIncrement(clients.autoScaling, groupName, before.desired, dryRun);
          restored = { ...undone, desiredBeforeAttach: before.desired };
        }
      } else if (group === groupName) {
        const recordedBefore = Number(tags[marker]);
        if (tags[marker] !== undefined && Number.isInteger(recordedBefore)) {
          const undone = await undoAttachIncrement(clients.autoScaling, groupName, recordedBefore, dryRun);
          restored = { ...undone, desiredBeforeAttach: recordedBefore };
        }
      } else {
        notRestored.push({
          item: 'auto-scaling',
          reason: `the instance is now in Auto Scaling group ${group}`,
        });
      }
    }
    if (restored) changes.push(...restored.changes);

    const restore = Object.fromEntries(
      Object.entries(preState.tags).filter((entry): entry is [string, string] => entry[1] !== null),
    );
    const remove = [
      ...Object.entries(preState.tags)
        .filter(([key, value]) => value === null && tags[key] !== undefined)
        .map(([key]) => key),
      ...preStateTagKeys(tags),
      ...(markerWritten || tags[marker] !== undefined ? [marker] : []),
    ];
    if (remove.length > 0) {
      changes.push(`remove tags ${remove.join(', ')}`);
      await sendEc2Write(
        (DryRun) =>
          ec2.send(
            new DeleteTagsCommand({ Resources: [instanceId], Tags: remove.map((Key) => ({ Key })), DryRun }),
          ),
        dryRun,
      );
    }
    if (Object.keys(restore).length > 0) {
      changes.push(`restore tags ${Object.keys(restore).join(', ')}`);
      await sendEc2Write(
        (DryRun) =>
          ec2.send(new CreateTagsCommand({ Resources: [instanceId], Tags: tagList(restore), DryRun })),
        dryRun,
      );
    }

    const result = {
      instanceId,
      notRestored,
      ...(restored || attachedDesired !== undefined
        ? { autoScaling: autoScalingReport(preState, restored, attachedDesired) }
        : {}),
      ...(dryRun ? { dryRun: true, wouldChange: changes } : { changes }),
    };
    if (dryRun) return succeeded(result);

    const skipped = new Set(notRestored.map((entry) => entry.item));
    const readBack = await readBackUntilVerified(() => readBackRestored(clients, preState, skipped), {
      signal: context.signal,
    });
    if (readBack.problems.length > 0) {
      throw new VerificationFailedError(`rollback of ${instanceId}`, readBack.problems, { instanceId });
    }
    context.logger.info({ instanceId, notRestored: notRestored.length }, 'instance_isolation_rolled_back');
    return succeeded(result, { verified: readBack.observed });
  };
}

/**
 * The Auto Scaling part of the result: desired capacity recorded at containment, just before and just
 * after the attach, and as left; with a sentence on each thing a person should know.
 */
function autoScalingReport(
  preState: InstancePreState,
  restored: (CapacityRestored & { desiredBeforeAttach: number }) | undefined,
  attachedDesired: number | undefined,
) {
  const recorded = preState.autoScalingCapacity?.desired;
  const notes = [...(restored?.notes ?? [])];
  if (restored && restored.changes.length > 0) {
    notes.push(
      'lowering desired capacity makes the group terminate an instance chosen by its termination policy: the replacement launched at containment, or this instance (protect it from scale-in first if it must stay)',
    );
  } else if (!restored) {
    notes.push(
      'AttachInstances raised desired capacity by one; the desired capacity before it is unknown, so it was left',
    );
  }
  if (recorded !== undefined && restored && restored.desiredBeforeAttach !== recorded) {
    notes.push(
      `desired capacity was ${recorded} at containment and ${restored.desiredBeforeAttach} before the attach (changed meanwhile): only the attach's own +1 was undone`,
    );
  }
  return {
    groupName: preState.autoScalingGroupName,
    ...(recorded !== undefined ? { recordedDesiredCapacity: recorded } : {}),
    ...(restored ? { desiredBeforeAttach: restored.desiredBeforeAttach } : {}),
    desiredAfterAttach: restored?.desiredFound ?? attachedDesired,
    desiredCapacity: restored?.desiredCapacity ?? attachedDesired,
    note: notes.join('; '),
  };
}
