import { readFileSync } from 'node:fs';
import type { DescribeTasksCommandOutput } from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { clusterOf, isStopped, taskInterfaceIds } from '../../src/actions/ecs/task.js';

/**
 * Emulator gap: moto 5.2.5 cannot run an `awsvpc` task (RunTask answers HTTP 500: its ECS model reads
 * `private_dns_name`, which its EC2 ENI model lacks), so no `DescribeTasks` from the emulator carries
 * an ENI attachment. This reads the ENI from AWS's own documented `DescribeTasks` output of a Fargate
 * task instead (the fixture names its source).
 */
const recorded = JSON.parse(
  readFileSync(new URL('./fixtures/ecs-describe-tasks-fargate.json', import.meta.url), 'utf8'),
) as { payload: DescribeTasksCommandOutput };

describe('ECS task look-ups (on a recorded DescribeTasks answer)', () => {
  it("finds the ENI of an awsvpc task in its ElasticNetworkInterface attachment's details", () => {
    // Prepare
    const task = recorded.payload.tasks?.[0];
    if (!task) throw new Error('the fixture has no task');

    // Act
    const enis = taskInterfaceIds(task);

    // Assess
    expect(enis).toEqual(['eni-12344321']);
    expect(isStopped(task)).toBe(false);
  });

  it('leaves out detached and deleted attachments and other attachment types', () => {
    // Prepare
    const task = recorded.payload.tasks?.[0];
    const attachment = task?.attachments?.[0];
    if (!task || !attachment) throw new Error('the fixture has no attachment');

    // Act
    const deleted = taskInterfaceIds({ ...task, attachments: [{ ...attachment, status: 'DELETED' }] });
    const other = taskInterfaceIds({ ...task, attachments: [{ ...attachment, type: 'Service Connect' }] });
    const none = taskInterfaceIds({ ...task, attachments: [] });

    // Assess
    expect(deleted).toEqual([]);
    expect(other).toEqual([]);
    expect(none).toEqual([]);
  });

  it('reads the cluster from a long-format task ARN, and only from one', () => {
    // Prepare
    const taskArn = recorded.payload.tasks?.[0]?.taskArn ?? '';

    // Act and Assess
    expect(clusterOf(taskArn, undefined)).toBe('MyCluster');
    expect(clusterOf(taskArn, 'other')).toBe('other');
    expect(
      clusterOf('arn:aws:ecs:us-west-2:123456789012:task/1234567890123456789', undefined),
    ).toBeUndefined();
  });
});
