import {
  type ContainerDefinition,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  type Task,
} from '@aws-sdk/client-ecs';
import { type StepHandler, succeeded } from '@ir/runtime';
import { StepRefusedError } from '../errors.js';
import { readSection, type SectionGap, withoutMetadata } from './sections.js';
import { putCollectedRecord } from './json-record.js';
import type { ActionDeps } from './types.js';

const ARTIFACT = 'ecs-task.json';

/** Where one container's logs are, for a person (or a later step) to read them in CloudWatch Logs. */
export interface ContainerLogPointer {
  readonly container: string;
  readonly logDriver: string | null;
  /** `awslogs` only: the group, region and stream (`<prefix>/<container>/<task id>`). */
  readonly logGroup?: string;
  readonly region?: string;
  readonly logStream?: string;
  /** Why there is no stream name: no prefix, or another driver (FireLens, splunk, ...). */
  readonly note?: string;
}

/** The cluster named by a long-format task ARN (`task/<cluster>/<id>`), unless one is given. */
function clusterOf(taskArn: string, cluster: string | undefined): string | undefined {
  if (cluster) return cluster;
  const segments = taskArn.slice(taskArn.indexOf(':task/') + ':task/'.length).split('/');
  return segments.length === 2 ? segments[0] : undefined;
}

/**
 * The log pointer of each container of the task definition. For the `awslogs` driver ECS names the
 * stream `<awslogs-stream-prefix>/<container name>/<task id>`; without a prefix the stream name is not
 * predictable, so the group is recorded with a note. Other drivers are recorded by name with their
 * options left out (they may hold endpoints and tokens).
 */
export function logPointers(
  containers: readonly ContainerDefinition[],
  taskArn: string,
): ContainerLogPointer[] {
  const taskId = taskArn.slice(taskArn.lastIndexOf('/') + 1);
  return containers.map((container) => {
    const name = container.name ?? '(unnamed)';
    const config = container.logConfiguration;
    if (!config) return { container: name, logDriver: null, note: 'no log configuration' };
    if (config.logDriver !== 'awslogs') {
      return {
        container: name,
        logDriver: config.logDriver ?? null,
        note: `logs go to ${config.logDriver}; its options are not recorded (they may hold credentials)`,
      };
    }
    const options = config.options ?? {};
    const prefix = options['awslogs-stream-prefix'];
    return {
      container: name,
      logDriver: 'awslogs',
      ...(options['awslogs-group'] ? { logGroup: options['awslogs-group'] } : {}),
      ...(options['awslogs-region'] ? { region: options['awslogs-region'] } : {}),
      ...(prefix
        ? { logStream: `${prefix}/${name}/${taskId}` }
        : { note: 'no awslogs-stream-prefix: the stream is named by the container id' }),
    };
  });
}

/**
 * evidence.collect-ecs-task: the task as ECS describes it (with tags and attachments: its ENI and
 * addresses), its task definition (containers, images, task and execution roles, environment names
 * and values as ECS returns them) and a log pointer per container, in `ecs-task.json`. Why before
 * containment: isolation and a stop change the task, and a stopped task is described for only about
 * an hour. Logs are pointed to, not copied: CloudWatch Logs keeps them under its retention.
 */
export function collectEcsTask(deps: ActionDeps): StepHandler<'evidence.collect-ecs-task'> {
  return async ({ taskArn, cluster: clusterParam }, context) => {
    const { stepId, incidentId } = context;
    const ecs = await context.client(ECSClient);
    const cluster = clusterOf(taskArn, clusterParam);
    const described = await ecs.send(
      new DescribeTasksCommand({ cluster, tasks: [taskArn], include: ['TAGS'] }),
    );
    const task: Task | undefined = described.tasks?.[0];
    if (!task) {
      const reason = described.failures?.[0]?.reason;
      throw new StepRefusedError(`ECS task ${taskArn} not found${reason ? ` (${reason})` : ''}`, 'not-found');
    }
    const gaps: SectionGap[] = [];
    const definition = await readSection('taskDefinition', gaps, async () => {
      if (!task.taskDefinitionArn) return null;
      const output = await ecs.send(
        new DescribeTaskDefinitionCommand({ taskDefinition: task.taskDefinitionArn, include: ['TAGS'] }),
      );
      return withoutMetadata(output);
    });
    const containers = definition?.taskDefinition?.containerDefinitions ?? [];
    const logs = logPointers(containers, taskArn);
    const taskRoleArn = task.overrides?.taskRoleArn ?? definition?.taskDefinition?.taskRoleArn ?? null;

    if (context.dryRun) {
      return succeeded({
        dryRun: true,
        taskArn,
        gaps,
        wouldWrite: [deps.store.keyOf({ incidentId, stepId, name: ARTIFACT })],
      });
    }
    const artifact = await putCollectedRecord(deps, context, ARTIFACT, {
      taskArn,
      cluster: cluster ?? null,
      task,
      taskDefinition: definition,
      logs,
      gaps,
    });
    return succeeded({
      taskArn,
      cluster: cluster ?? null,
      taskDefinitionArn: task.taskDefinitionArn ?? null,
      lastStatus: task.lastStatus ?? null,
      launchType: task.launchType ?? null,
      taskRoleArn,
      logs,
      gaps,
      artifact,
    });
  };
}
