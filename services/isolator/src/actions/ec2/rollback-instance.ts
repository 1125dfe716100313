import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CreateTagsCommand, DeleteTagsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { sendEc2Write, setInterfaceGroups } from '../../aws/ec2-dry-run.js';
import { readBackUntilVerified } from '../../aws/read-back.js';
import { tagList, tagMap } from '../../aws/tags.js';
import { VerificationFailedError } from '../../errors.js';
import { parsePreState } from '../pre-state.js';
import { type StepHandler, succeeded } from '@ir/runtime';
import {
  autoScalingGroupOf,
  describeInstance,
  InstancePreState,
  interfacesOf,
  readProtections,
  targetRegistrationsOf,
  volumesOf,
} from './instance-pre-state.js';
import { attachToAutoScaling, registerTargets } from './load-balancing.js';
import { preStateTagKeys } from './pre-state-tags.js';
import { applyProtections } from './protections.js';
import { readBackRestored } from './verify-instance.js';

/**
 * `rollback.ec2-instance`: puts every ENI's original groups back, the protections and
 * DeleteOnTermination flags as they were, the target-group registrations and the Auto Scaling
 * membership, and the tags; then reads it all back. What cannot be restored (an ENI detached since,
 * a group that no longer exists) is listed in `notRestored`. The shared isolation and conversion
 * groups stay: other instances in the VPC may use them.
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

    let desiredCapacity: number | undefined;
    if (preState.autoScalingGroupName) {
      const group = await autoScalingGroupOf(clients.autoScaling, instanceId);
      if (group === null) {
        const attachedAgain = await attachToAutoScaling(
          clients.autoScaling,
          preState.autoScalingGroupName,
          instanceId,
          dryRun,
        );
        changes.push(...attachedAgain.changes);
        desiredCapacity = attachedAgain.desiredCapacity;
      } else if (group !== preState.autoScalingGroupName) {
        notRestored.push({
          item: 'auto-scaling',
          reason: `the instance is now in Auto Scaling group ${group}`,
        });
      }
    }

    const tags = tagMap(instance.Tags);
    const restore = Object.fromEntries(
      Object.entries(preState.tags).filter((entry): entry is [string, string] => entry[1] !== null),
    );
    const remove = [
      ...Object.entries(preState.tags)
        .filter(([key, value]) => value === null && tags[key] !== undefined)
        .map(([key]) => key),
      ...preStateTagKeys(tags),
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
      ...(desiredCapacity !== undefined
        ? {
            autoScaling: {
              groupName: preState.autoScalingGroupName,
              desiredCapacity,
              note: 'AttachInstances raised desired capacity by one; the replacement launched at containment still runs',
            },
          }
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
