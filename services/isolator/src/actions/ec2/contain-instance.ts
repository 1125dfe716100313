import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CreateTagsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { sendEc2Write, setInterfaceGroups } from '../../aws/ec2-dry-run.js';
import { readBackUntilVerified } from '../../aws/read-back.js';
import { ContainmentStatus, IrTag, tagList, tagMap } from '../../aws/tags.js';
import { ContainmentRefusedError, VerificationFailedError } from '../../errors.js';
import { abortableSleep, type StepContext, type StepHandler, succeeded } from '@ir/runtime';
import type { ActionDeps } from '../action-deps.js';
import {
  autoScalingGroupOf,
  describeInstance,
  interfacesOf,
  readInstancePreState,
  readProtections,
  targetRegistrationsOf,
  volumesOf,
} from './instance-pre-state.js';
import { ensureBothGroups } from './isolation-groups.js';
import { deregisterTargets, detachFromAutoScaling } from './load-balancing.js';
import { preStateFromTags, preStateTags } from './pre-state-tags.js';
import { applyProtections, keptVolumes, PROTECTED } from './protections.js';
import { readBackContained } from './verify-instance.js';

/** One ENI move, in the order it was made (the observable proof of TRAPS 2's ordering). */
export interface EniMove {
  readonly networkInterfaceId: string;
  readonly groupRole: 'conversion' | 'isolation';
  readonly groupId: string;
  readonly at: string;
}

/**
 * `contain.ec2-instance`: detach from Auto Scaling and target groups, protect the evidence, move every
 * ENI through the all-open conversion group to the isolation group, tag, then read it all back and
 * fail unless it is isolated (TRAPS 1–6). The pre-state is written to the instance first, so a repeat
 * reports the state from before the first run; ENIs already isolated are not moved again (a repeat
 * never re-opens an isolated instance through the conversion group).
 */
export function containEc2Instance(deps: ActionDeps): StepHandler<'contain.ec2-instance'> {
  return async ({ instanceId }, context) => {
    const clients = {
      ec2: await context.client(EC2Client),
      autoScaling: await context.client(AutoScalingClient),
      elbv2: await context.client(ElasticLoadBalancingV2Client),
    };
    const { ec2 } = clients;
    const instance = await describeInstance(ec2, instanceId);
    const tags = tagMap(instance.Tags);
    const owner = tags[IrTag.incidentId];
    if (owner && owner !== context.incidentId && tags[IrTag.status]) {
      throw new ContainmentRefusedError(
        `instance ${instanceId} is already contained under incident ${owner}; roll that containment back or handle this incident there (a person must decide)`,
        { instanceId, owner },
      );
    }
    if (!instance.VpcId) {
      throw new ContainmentRefusedError(`instance ${instanceId} is not in a VPC; isolate it by hand`, {
        instanceId,
      });
    }
    const vpcId = instance.VpcId;
    const recorded = owner === context.incidentId ? preStateFromTags(tags) : undefined;
    const preState = recorded ?? (await readInstancePreState(clients, instance));
    const changes: string[] = [];
    const { dryRun } = context;

    let preStateRecordedOnInstance = recorded !== undefined;
    if (!recorded) {
      const chunks = preStateTags(preState);
      preStateRecordedOnInstance = chunks !== undefined;
      if (!chunks) context.logger.warn({ instanceId }, 'pre_state_too_large_for_tags');
      changes.push(`tag ${instanceId} with ${IrTag.incidentId}=${context.incidentId} and its pre-state`);
      const writeAhead = {
        ...chunks,
        [IrTag.incidentId]: context.incidentId,
        [IrTag.status]: ContainmentStatus.containing,
      };
      await sendEc2Write(
        (DryRun) =>
          ec2.send(new CreateTagsCommand({ Resources: [instanceId], Tags: tagList(writeAhead), DryRun })),
        dryRun,
      );
    }

    // 1. Out of Auto Scaling and load balancers (current membership: a repeat finds less to do).
    const group = recorded
      ? await autoScalingGroupOf(clients.autoScaling, instanceId)
      : preState.autoScalingGroupName;
    if (group) changes.push(...(await detachFromAutoScaling(clients.autoScaling, group, instanceId, dryRun)));
    const targets = recorded ? await targetRegistrationsOf(clients.elbv2, instance) : preState.targets;
    changes.push(...(await deregisterTargets(clients.elbv2, targets, dryRun)));

    // 2. Evidence survives stop and terminate.
    // A first run read the protections a moment ago for the pre-state; a repeat reads them again.
    const protections = recorded ? await readProtections(ec2, instanceId) : preState.attributes;
    const current = { protections, volumes: volumesOf(instance) };
    const wanted = { protections: PROTECTED, volumes: keptVolumes(current.volumes) };
    changes.push(...(await applyProtections(ec2, instanceId, current, wanted, dryRun)));

    // 3. Every ENI: conversion group first, then isolation group.
    const settings = {
      prefix: deps.config.IR_PREFIX,
      forensicsCidr: deps.config.IR_FORENSICS_CIDR,
      dryRun,
      incidentId: context.incidentId,
    };
    const { conversion, isolation } = await ensureBothGroups(ec2, vpcId, settings);
    changes.push(...conversion.changes, ...isolation.changes);
    const pending = interfacesOf(instance).filter(
      (eni) => !(eni.groupIds.length === 1 && eni.groupIds[0] === isolation.groupId),
    );
    const moves = await moveInterfaces(
      ec2,
      pending.map((eni) => eni.networkInterfaceId),
      conversion.groupId,
      isolation.groupId,
      context,
      deps.config.IR_CONVERSION_HOLD_SECONDS,
    );
    changes.push(
      ...moves.map(
        (move) => `move ${move.networkInterfaceId} to the ${move.groupRole} group ${move.groupId}`,
      ),
    );

    // 4. Tag.
    // A repeat keeps the time of the first containment.
    const containedAt = (recorded && tags[IrTag.containedAt]) || context.now().toISOString();
    const statusTags = {
      [IrTag.incidentId]: context.incidentId,
      [IrTag.status]: ContainmentStatus.contained,
      [IrTag.containedAt]: containedAt,
    };
    if (dryRun) changes.push(`tag ${instanceId} ${IrTag.status}=${ContainmentStatus.contained}`);
    else await ec2.send(new CreateTagsCommand({ Resources: [instanceId], Tags: tagList(statusTags) }));

    const result = {
      instanceId,
      vpcId,
      conversionGroupId: conversion.groupId ?? null,
      isolationGroupId: isolation.groupId ?? null,
      moves: dryRun ? [] : moves,
      alreadyContained: recorded !== undefined && pending.length === 0,
      preStateRecordedOnInstance,
      ...(dryRun ? { dryRun: true, wouldChange: changes } : { changes }),
    };
    if (dryRun || !isolation.groupId) return succeeded(result, { preState });

    // 5. Read back; never report isolated without it (TRAPS 1, 16).
    const isolationGroupId = isolation.groupId;
    const readBack = await readBackUntilVerified(
      () => readBackContained(clients, instanceId, isolationGroupId, deps.config.IR_FORENSICS_CIDR),
      { signal: context.signal },
    );
    if (readBack.problems.length > 0) {
      throw new VerificationFailedError(`isolation of ${instanceId}`, readBack.problems, { instanceId });
    }
    context.logger.info({ instanceId, isolationGroupId, moves: moves.length }, 'instance_isolated');
    return succeeded(result, { preState, verified: readBack.observed });
  };
}

/**
 * Moves every ENI to the conversion group, waits `holdSeconds`, then moves every ENI to the isolation
 * group, one `ModifyNetworkInterfaceAttribute` per ENI (TRAPS 3). In dry-run each call is made with
 * `DryRun` (when the group exists) and the planned moves are returned. Shared with `contain.ecs-task`,
 * whose task ENIs move the same way.
 */
export async function moveInterfaces(
  ec2: EC2Client,
  interfaceIds: readonly string[],
  conversionGroupId: string | undefined,
  isolationGroupId: string | undefined,
  context: Pick<StepContext, 'dryRun' | 'now' | 'signal'>,
  holdSeconds: number,
): Promise<EniMove[]> {
  const moves: EniMove[] = [];
  const phases = [
    { groupRole: 'conversion' as const, groupId: conversionGroupId },
    { groupRole: 'isolation' as const, groupId: isolationGroupId },
  ];
  for (const [index, phase] of phases.entries()) {
    for (const networkInterfaceId of interfaceIds) {
      const groupId = phase.groupId ?? `(new ${phase.groupRole} group)`;
      if (phase.groupId) await setInterfaceGroups(ec2, networkInterfaceId, [phase.groupId], context.dryRun);
      moves.push({
        networkInterfaceId,
        groupRole: phase.groupRole,
        groupId,
        at: context.now().toISOString(),
      });
    }
    if (index === 0 && holdSeconds > 0 && interfaceIds.length > 0 && !context.dryRun) {
      await abortableSleep(holdSeconds * 1000, context.signal);
    }
  }
  return moves;
}
