import { ECSClient, StopTaskCommand } from '@aws-sdk/client-ecs';
import { type StepHandler, succeeded } from '@ir/runtime';
import { readBackUntilVerified } from '../../aws/read-back.js';
import { VerificationFailedError } from '../../errors.js';
import { clusterOf, describeTask } from './task.js';

/**
 * `contain.ecs-task-stop`: stops the task, with the incident in the reason ECS shows, and reads back
 * that ECS wants it stopped (`desiredStatus: STOPPED`; `lastStatus` follows as the containers exit).
 * Irreversible, so it has no rollback and playbooks put it behind approval: the task's memory and
 * writable layer are gone, and its service, if any, starts a replacement from the task definition.
 * A task already stopped is reported as such, not stopped again.
 */
export function containEcsTaskStop(): StepHandler<'contain.ecs-task-stop'> {
  return async ({ taskArn, cluster: clusterParam }, context) => {
    const ecs = await context.client(ECSClient);
    const cluster = clusterOf(taskArn, clusterParam);
    const before = await describeTask(ecs, taskArn, clusterParam);
    const alreadyStopped = before.desiredStatus === 'STOPPED';
    const reason = `Stopped by incident response, incident ${context.incidentId}`.slice(0, 255);
    const changes = alreadyStopped ? [] : [`stop ECS task ${taskArn} (reason: ${reason})`];
    const result = {
      taskArn,
      cluster: cluster ?? null,
      alreadyStopped,
      ...(before.group?.startsWith('service:') ? { service: before.group.slice('service:'.length) } : {}),
    };
    if (context.dryRun) return succeeded({ ...result, dryRun: true, wouldChange: changes });
    if (!alreadyStopped) await ecs.send(new StopTaskCommand({ cluster, task: taskArn, reason }));

    const readBack = await readBackUntilVerified(
      async () => {
        const task = await describeTask(ecs, taskArn, clusterParam);
        const observed = {
          desiredStatus: task.desiredStatus ?? null,
          lastStatus: task.lastStatus ?? null,
          stoppedReason: task.stoppedReason ?? null,
        };
        return {
          observed,
          problems: task.desiredStatus === 'STOPPED' ? [] : [`desired status is ${task.desiredStatus}`],
        };
      },
      { signal: context.signal },
    );
    if (readBack.problems.length > 0) {
      throw new VerificationFailedError(`stop of ECS task ${taskArn}`, readBack.problems, { taskArn });
    }
    context.logger.info({ taskArn, alreadyStopped }, 'ecs_task_stopped');
    return succeeded({ ...result, changes }, { verified: readBack.observed });
  };
}
