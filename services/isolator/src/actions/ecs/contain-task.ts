import {
  CreateTagsCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  type NetworkInterface,
} from '@aws-sdk/client-ec2';
import { ECSClient, TagResourceCommand } from '@aws-sdk/client-ecs';
import { type StepContext, type StepHandler, succeeded } from '@ir/runtime';
import { z } from 'zod';
import { sendEc2Write } from '../../aws/ec2-dry-run.js';
import { readBackUntilVerified } from '../../aws/read-back.js';
import { ContainmentStatus, IrTag, tagList, tagMap } from '../../aws/tags.js';
import { ContainmentRefusedError, ResourceNotFoundError, VerificationFailedError } from '../../errors.js';
import type { ActionDeps } from '../action-deps.js';
import { moveInterfaces } from '../ec2/contain-instance.js';
import { describePermission, ensureBothGroups, flatten } from '../ec2/isolation-groups.js';
import { containRoleSessions, RoleSessionsPreState } from '../iam/role-sessions.js';
import { clusterOf, describeTask, isStopped, taskInterfaceIds, taskRoleOf } from './task.js';

/**
 * Tags on each task ENI. Why on the ENI: workers keep no state (TRAPS 24), and the ENI is what the
 * groups belong to; a repeat under the same incident reads the groups from before the first run here.
 */
export const EcsEniTag = {
  /** The incident whose containment moved the ENI. */
  incidentId: IrTag.incidentId,
  /** The ENI's groups before containment, comma-separated (at most 16 ids: always under 256 characters). */
  preGroups: 'ir:pre-groups',
} as const;

/** One task ENI and its groups before containment. */
export const EcsInterfacePreState = z.object({
  networkInterfaceId: z.string().min(1),
  groupIds: z.array(z.string().min(1)),
});
/** @see EcsInterfacePreState */
export type EcsInterfacePreState = z.infer<typeof EcsInterfacePreState>;

/**
 * What `contain.ecs-task` replaces: each ENI's groups, the task role's revocation (the pre-state of
 * `contain.role-sessions`, or null when the task has no role or the step did not isolate), and
 * whether the task carried our tag before.
 */
export const EcsTaskPreState = z.object({
  taskArn: z.string().min(1),
  cluster: z.string().min(1).nullable(),
  networkInterfaces: z.array(EcsInterfacePreState),
  roleSessions: RoleSessionsPreState.nullable(),
  /** The task's `ir:*` tags before containment (null: absent), so the rollback puts back exactly those. */
  taskTags: z.record(z.string(), z.string().nullable()),
});
/** @see EcsTaskPreState */
export type EcsTaskPreState = z.infer<typeof EcsTaskPreState>;

/** The ENIs by id, as EC2 describes them now. */
export async function describeInterfaces(
  ec2: EC2Client,
  ids: readonly string[],
): Promise<NetworkInterface[]> {
  if (ids.length === 0) return [];
  const output = await ec2.send(
    new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'network-interface-id', Values: [...ids] }] }),
  );
  return output.NetworkInterfaces ?? [];
}

/** Group ids of an ENI. */
export function groupIdsOf(eni: NetworkInterface): string[] {
  return (eni.Groups ?? []).flatMap((group) => (group.GroupId ? [group.GroupId] : []));
}

/** The recorded pre-state of an ENI, when this incident's containment tagged it. */
function recordedGroups(eni: NetworkInterface, incidentId: string): string[] | undefined {
  const tags = tagMap(eni.TagSet);
  if (tags[EcsEniTag.incidentId] !== incidentId) return undefined;
  const recorded = tags[EcsEniTag.preGroups];
  return recorded === undefined ? undefined : recorded.split(',').filter((id) => id.length > 0);
}

/**
 * `contain.ecs-task`: tag the task; then (unless `isolate: false`) move each of its `awsvpc` ENIs
 * through the VPC's conversion group to its isolation group, with the ENI's groups recorded on the ENI
 * first, revoke the older sessions of the task role, and read it all back (TRAPS 1–3, 7, 16, 24). A
 * task without an ENI of its own (`bridge` or `host` mode on EC2) is refused before any change: its
 * network is its container instance's, which `contain.ec2-instance` isolates. A task already stopped
 * is a `ResourceNotFoundError`: it has no network left to cut.
 */
export function containEcsTask(deps: ActionDeps): StepHandler<'contain.ecs-task'> {
  const revokeRole = containRoleSessions(deps);
  return async ({ taskArn, cluster: clusterParam, isolate = true }, context) => {
    const ecs = await context.client(ECSClient);
    const ec2 = await context.client(EC2Client);
    const cluster = clusterOf(taskArn, clusterParam) ?? null;
    const task = await describeTask(ecs, taskArn, clusterParam);
    if (isStopped(task)) {
      throw new ResourceNotFoundError(
        `ECS task ${taskArn} is stopped (${task.stoppedReason ?? 'no reason'})`,
        {
          taskArn,
        },
      );
    }
    const taskTags = tagMap((task.tags ?? []).map((tag) => ({ Key: tag.key, Value: tag.value })));
    const owner = taskTags[IrTag.incidentId];
    if (owner && owner !== context.incidentId) {
      throw new ContainmentRefusedError(
        `ECS task ${taskArn} is already contained under incident ${owner}; roll that containment back or handle this incident there (a person must decide)`,
        { taskArn, owner },
      );
    }
    const interfaceIds = isolate ? taskInterfaceIds(task) : [];
    if (isolate && interfaceIds.length === 0) {
      const host = task.containerInstanceArn ? ` on container instance ${task.containerInstanceArn}` : '';
      throw new ContainmentRefusedError(
        `ECS task ${taskArn} has no network interface of its own (not awsvpc)${host}: its network is its host's; contain the host instance with contain.ec2-instance (a person must decide)`,
        { taskArn },
      );
    }
    const interfaces = await describeInterfaces(ec2, interfaceIds);
    const missing = interfaceIds.filter((id) => !interfaces.some((eni) => eni.NetworkInterfaceId === id));
    if (missing.length > 0) {
      throw new ResourceNotFoundError(`ENI ${missing.join(', ')} of ECS task ${taskArn} not found in EC2`, {
        taskArn,
      });
    }
    for (const eni of interfaces) {
      const eniOwner = tagMap(eni.TagSet)[EcsEniTag.incidentId];
      if (eniOwner && eniOwner !== context.incidentId) {
        throw new ContainmentRefusedError(
          `ENI ${eni.NetworkInterfaceId} of ECS task ${taskArn} was isolated under incident ${eniOwner}; roll that back or handle this incident there (a person must decide)`,
          { taskArn, owner: eniOwner },
        );
      }
    }
    const vpcIds = [...new Set(interfaces.map((eni) => eni.VpcId ?? ''))];
    const vpcId = vpcIds[0];
    if (isolate && (vpcIds.length !== 1 || !vpcId)) {
      throw new ContainmentRefusedError(
        `the ENIs of ECS task ${taskArn} are not in exactly one VPC (${vpcIds.join(', ')}); isolate them by hand`,
        { taskArn },
      );
    }

    const { dryRun } = context;
    const changes: string[] = [];
    const networkInterfaces = interfaces.map((eni) => ({
      networkInterfaceId: eni.NetworkInterfaceId as string,
      groupIds: recordedGroups(eni, context.incidentId) ?? groupIdsOf(eni),
    }));
    const previousTaskTags = Object.fromEntries(
      [IrTag.incidentId, IrTag.status, IrTag.containedAt].map((key) => [
        key,
        owner === context.incidentId ? null : (taskTags[key] ?? null),
      ]),
    );

    // 1. Tag the task (the matrix's "tag"), as containing until the read-back.
    const wantedTaskTags = {
      [IrTag.incidentId]: context.incidentId,
      [IrTag.status]: isolate ? ContainmentStatus.containing : 'tagged',
    };
    changes.push(`tag ECS task ${taskArn} with ${IrTag.incidentId}=${context.incidentId}`);
    if (!dryRun) await tagTask(ecs, taskArn, wantedTaskTags);

    const preState: EcsTaskPreState = {
      taskArn,
      cluster,
      networkInterfaces,
      roleSessions: null,
      taskTags: previousTaskTags,
    };
    if (!isolate) {
      context.logger.info({ taskArn }, 'ecs_task_tagged');
      const result = { taskArn, cluster, isolated: false };
      return succeeded(dryRun ? { ...result, dryRun: true, wouldChange: changes } : { ...result, changes }, {
        preState,
      });
    }

    // 2. Record each ENI's groups on the ENI, then move it: conversion group, then isolation group.
    const untagged = interfaces.filter((eni) => recordedGroups(eni, context.incidentId) === undefined);
    for (const eni of untagged) {
      const id = eni.NetworkInterfaceId as string;
      changes.push(`tag ${id} with its groups ${groupIdsOf(eni).join(', ')}`);
      const tags = {
        [EcsEniTag.incidentId]: context.incidentId,
        [EcsEniTag.preGroups]: groupIdsOf(eni).join(','),
      };
      await sendEc2Write(
        (DryRun) => ec2.send(new CreateTagsCommand({ Resources: [id], Tags: tagList(tags), DryRun })),
        dryRun,
      );
    }
    const settings = {
      prefix: deps.config.IR_PREFIX,
      forensicsCidr: deps.config.IR_FORENSICS_CIDR,
      dryRun,
      incidentId: context.incidentId,
    };
    const { conversion, isolation } = await ensureBothGroups(ec2, vpcId as string, settings);
    changes.push(...conversion.changes, ...isolation.changes);
    const pending = interfaces
      .filter((eni) => !(groupIdsOf(eni).length === 1 && groupIdsOf(eni)[0] === isolation.groupId))
      .map((eni) => eni.NetworkInterfaceId as string);
    const moves = await moveInterfaces(
      ec2,
      pending,
      conversion.groupId,
      isolation.groupId,
      context,
      deps.config.IR_CONVERSION_HOLD_SECONDS,
    );
    changes.push(
      ...moves.map((m) => `move ${m.networkInterfaceId} to the ${m.groupRole} group ${m.groupId}`),
    );

    // 3. The task role's older sessions (TRAPS 7): the same action as contain.role-sessions.
    const role = await taskRoleOf(ecs, task);
    let roleResult: Record<string, unknown> | null = null;
    if (role) {
      // Why a cast: the role-sessions handler reads only the context's incident, clock, dry-run flag,
      // signal, logger and clients, which are the same for this step.
      const outcome = await revokeRole(
        { roleName: role.roleName },
        context as unknown as StepContext<'contain.role-sessions'>,
      );
      if (outcome.kind !== 'succeeded') {
        throw new VerificationFailedError(`session revocation of task role ${role.roleName}`, [
          `the revocation answered ${outcome.kind}`,
        ]);
      }
      roleResult = outcome.result;
      preState.roleSessions = RoleSessionsPreState.parse(outcome.preState);
      changes.push(
        ...(((outcome.result.changes ?? outcome.result.wouldChange) as string[] | undefined) ?? []),
      );
    }

    // 4. Tag the task contained; a repeat keeps the time of the first containment.
    const containedAt =
      (owner === context.incidentId && taskTags[IrTag.containedAt]) || context.now().toISOString();
    const statusTags = {
      [IrTag.incidentId]: context.incidentId,
      [IrTag.status]: ContainmentStatus.contained,
      [IrTag.containedAt]: containedAt,
    };
    if (!dryRun) await tagTask(ecs, taskArn, statusTags);

    const result = {
      taskArn,
      cluster,
      isolated: !dryRun,
      vpcId: vpcId ?? null,
      conversionGroupId: conversion.groupId ?? null,
      isolationGroupId: isolation.groupId ?? null,
      moves: dryRun ? [] : moves,
      alreadyContained: owner === context.incidentId && pending.length === 0,
      taskRole: role ? { ...role, revocation: roleResult } : null,
      ...(dryRun ? { dryRun: true, wouldChange: changes } : { changes }),
    };
    if (dryRun || !isolation.groupId) return succeeded(result, { preState });

    // 5. Read back every ENI and the isolation group; never report isolated without it (TRAPS 1, 16).
    const isolationGroupId = isolation.groupId;
    const readBack = await readBackUntilVerified(
      () => readBackIsolated(ec2, interfaceIds, isolationGroupId, deps.config.IR_FORENSICS_CIDR),
      { signal: context.signal },
    );
    if (readBack.problems.length > 0) {
      throw new VerificationFailedError(`isolation of ECS task ${taskArn}`, readBack.problems, { taskArn });
    }
    context.logger.info({ taskArn, isolationGroupId, moves: moves.length }, 'ecs_task_isolated');
    return succeeded(result, { preState, verified: readBack.observed });
  };
}

/** Adds tags to a task (ECS `TagResource`; no DryRun in ECS, so dry-run never calls it). */
async function tagTask(ecs: ECSClient, taskArn: string, tags: Record<string, string>): Promise<void> {
  await ecs.send(
    new TagResourceCommand({
      resourceArn: taskArn,
      tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
    }),
  );
}

/**
 * Reads the ENIs and the isolation group back and lists every way they fall short of isolated: an
 * ENI with any other group, an egress rule on the group, ingress other than the forensics CIDR.
 */
async function readBackIsolated(
  ec2: EC2Client,
  interfaceIds: readonly string[],
  isolationGroupId: string,
  forensicsCidr: string | undefined,
) {
  const interfaces = await describeInterfaces(ec2, interfaceIds);
  const group = (await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [isolationGroupId] })))
    .SecurityGroups?.[0];
  const egress = flatten(group?.IpPermissionsEgress).map(describePermission);
  const ingress = flatten(group?.IpPermissions).map(describePermission);
  const problems: string[] = [];
  for (const id of interfaceIds) {
    const eni = interfaces.find((candidate) => candidate.NetworkInterfaceId === id);
    const groups = eni ? groupIdsOf(eni) : [];
    if (!eni) problems.push(`${id} not found`);
    else if (groups.length !== 1 || groups[0] !== isolationGroupId) {
      problems.push(`${id} has groups ${groups.join(', ') || '(none)'}`);
    }
  }
  if (!group) problems.push(`isolation group ${isolationGroupId} not found`);
  if (egress.length > 0) problems.push(`isolation group has egress rules: ${egress.join(', ')}`);
  const allowedIngress = forensicsCidr ? [`-1:all:${forensicsCidr}`] : [];
  const extraIngress = ingress.filter((rule) => !allowedIngress.includes(rule));
  if (extraIngress.length > 0) problems.push(`isolation group has ingress rules: ${extraIngress.join(', ')}`);
  return {
    observed: {
      networkInterfaces: interfaces.map((eni) => ({
        networkInterfaceId: eni.NetworkInterfaceId,
        groupIds: groupIdsOf(eni),
      })),
      isolationGroup: { groupId: isolationGroupId, egressRules: egress, ingressRules: ingress },
    },
    problems,
  };
}
