import { DeleteTagsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  DescribeTasksCommand,
  ECSClient,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-ecs';
import { type StepContext, type StepHandler, succeeded } from '@ir/runtime';
import { sendEc2Write, setInterfaceGroups } from '../../aws/ec2-dry-run.js';
import { readBackUntilVerified } from '../../aws/read-back.js';
import { VerificationFailedError } from '../../errors.js';
import { rollbackRoleSessions } from '../iam/role-sessions.js';
import { parsePreState } from '../pre-state.js';
import { describeInterfaces, EcsEniTag, EcsTaskPreState, groupIdsOf } from './contain-task.js';

const sameGroups = (a: readonly string[], b: readonly string[]) =>
  [...a].sort().join() === [...b].sort().join();

/**
 * `rollback.ecs-task`: puts each ENI's recorded groups back and removes our tags from it, removes
 * the task role's revocation (as `rollback.role-sessions`), restores the task's `ir:*` tags, and
 * reads the groups back. An ENI that no longer exists (the task stopped since: ECS deletes a task's
 * ENI with it) is listed in `notRestored`, as is the tag of a task ECS no longer knows. The shared
 * isolation and conversion groups stay: other instances and tasks in the VPC may use them.
 */
export function rollbackEcsTask(): StepHandler<'rollback.ecs-task'> {
  const unrevoke = rollbackRoleSessions();
  return async (params, context) => {
    const preState = parsePreState(EcsTaskPreState, params.preState, 'rollback.ecs-task');
    const { taskArn } = preState;
    const { dryRun } = context;
    const ec2 = await context.client(EC2Client);
    const ecs = await context.client(ECSClient);
    const changes: string[] = [];
    const notRestored: { item: string; reason: string }[] = [];

    const ids = preState.networkInterfaces.map((eni) => eni.networkInterfaceId);
    const interfaces = await describeInterfaces(ec2, ids);
    const present: typeof preState.networkInterfaces = [];
    for (const eni of preState.networkInterfaces) {
      const now = interfaces.find((candidate) => candidate.NetworkInterfaceId === eni.networkInterfaceId);
      if (!now) {
        notRestored.push({
          item: eni.networkInterfaceId,
          reason: 'the ENI no longer exists (the task stopped)',
        });
        continue;
      }
      present.push(eni);
      if (!sameGroups(groupIdsOf(now), eni.groupIds)) {
        changes.push(`restore groups ${eni.groupIds.join(', ')} on ${eni.networkInterfaceId}`);
        await setInterfaceGroups(ec2, eni.networkInterfaceId, eni.groupIds, dryRun);
      }
    }

    let roleRollback: Record<string, unknown> | null = null;
    if (preState.roleSessions) {
      // Why a cast: the role-sessions rollback reads only the context's dry-run flag, signal, logger
      // and clients, which are the same for this step.
      const outcome = await unrevoke(
        { originalStepId: params.originalStepId, preState: preState.roleSessions },
        context as unknown as StepContext<'rollback.role-sessions'>,
      );
      roleRollback = outcome.kind === 'succeeded' ? outcome.result : null;
      changes.push(...(((roleRollback?.changes ?? roleRollback?.wouldChange) as string[] | undefined) ?? []));
    }

    if (!dryRun) {
      const verified = await readBackUntilVerified(
        async () => {
          const now = await describeInterfaces(
            ec2,
            present.map((eni) => eni.networkInterfaceId),
          );
          const problems = present.flatMap((eni) => {
            const seen = now.find((candidate) => candidate.NetworkInterfaceId === eni.networkInterfaceId);
            const groups = seen ? groupIdsOf(seen) : [];
            return seen && sameGroups(groups, eni.groupIds)
              ? []
              : [
                  `${eni.networkInterfaceId} has groups ${groups.join(', ') || '(none)'}, not ${eni.groupIds.join(', ')}`,
                ];
          });
          return {
            observed: now.map((eni) => ({
              networkInterfaceId: eni.NetworkInterfaceId,
              groupIds: groupIdsOf(eni),
            })),
            problems,
          };
        },
        { signal: context.signal },
      );
      if (verified.problems.length > 0) {
        throw new VerificationFailedError(`rollback of ECS task ${taskArn}`, verified.problems, { taskArn });
      }
    }

    // Tags last, so a failed rollback is retried with the record still in place.
    for (const eni of present) {
      changes.push(
        `remove tags ${EcsEniTag.incidentId}, ${EcsEniTag.preGroups} from ${eni.networkInterfaceId}`,
      );
      await sendEc2Write(
        (DryRun) =>
          ec2.send(
            new DeleteTagsCommand({
              Resources: [eni.networkInterfaceId],
              Tags: [{ Key: EcsEniTag.incidentId }, { Key: EcsEniTag.preGroups }],
              DryRun,
            }),
          ),
        dryRun,
      );
    }
    const restore = Object.entries(preState.taskTags).filter(
      (entry): entry is [string, string] => entry[1] !== null,
    );
    const remove = Object.entries(preState.taskTags)
      .filter(([, value]) => value === null)
      .map(([key]) => key);
    changes.push(`restore the ir:* tags of ECS task ${taskArn}`);
    if (!dryRun) {
      const known = await ecs.send(
        new DescribeTasksCommand({ cluster: preState.cluster ?? undefined, tasks: [taskArn] }),
      );
      if (!known.tasks?.[0]) {
        notRestored.push({ item: taskArn, reason: 'ECS no longer knows the task; its tags went with it' });
      } else {
        if (remove.length > 0)
          await ecs.send(new UntagResourceCommand({ resourceArn: taskArn, tagKeys: remove }));
        if (restore.length > 0) {
          await ecs.send(
            new TagResourceCommand({
              resourceArn: taskArn,
              tags: restore.map(([key, value]) => ({ key, value })),
            }),
          );
        }
      }
    }

    const result = {
      taskArn,
      notRestored,
      roleSessions: roleRollback,
      ...(dryRun ? { dryRun: true, wouldChange: changes } : { changes }),
    };
    context.logger.info(
      { taskArn, dryRun, notRestored: notRestored.length },
      'ecs_task_isolation_rolled_back',
    );
    return succeeded(result);
  };
}
