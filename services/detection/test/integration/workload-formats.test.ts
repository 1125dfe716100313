import { type MessageOf, resourceKey } from '@ir/contracts';
import { DlqAttribute } from '@ir/runtime';
import {
  eventually,
  guardDutyWorkloadFinding,
  queueDepth,
  receiveMessages,
  securityHubV2Event,
} from '@ir/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DetectionService } from '../../src/service.js';
import { type DetectionFixture, detectionFixture } from './harness.js';

/*
 * Issue 20, intake: Security Hub v2 (OCSF) events and GuardDuty findings about EKS and ECS
 * workloads go through detection on the emulator and open incidents with their resource details;
 * malformed OCSF is dead-lettered with the reason.
 */

let fixture: DetectionFixture;
let service: DetectionService;
let nextIncident = 0;

beforeAll(async () => {
  fixture = await detectionFixture();
  service = await fixture.start({}, { newIncidentId: () => `inc-workload-${++nextIncident}` });
});
afterAll(async () => {
  await fixture.stop();
});

const opened = (message: unknown) => message as MessageOf<'incident.opened'>;

/** The findings queue is drained (every message handled, deleted or dead-lettered). */
async function drained() {
  await eventually(
    async () => (await queueDepth(fixture.clients.sqs, fixture.system.queues.findings.url)) === 0,
  );
}

describe('detection service, Security Hub v2 and workload findings end to end', () => {
  it('opens an incident for a Security Hub v2 (OCSF) event instead of dead-lettering it', async () => {
    // Prepare
    const event = securityHubV2Event({
      accountId: '123456789012',
      findingId: 'shv2-0000000000000000000000000000000000000000000000000000000001',
      type: 'Execution:Runtime/NewBinaryExecuted',
      severityId: 5,
      resources: [
        {
          type: 'AWS::EKS::Cluster',
          uid: 'arn:aws:eks:us-east-1:123456789012:cluster/shv2-cluster',
          name: 'shv2-cluster',
          tags: { env: 'prod' },
        },
      ],
    });
    // Act
    await fixture.sendFindings([JSON.stringify(event)]);
    const [message] = await fixture.coordinatorMessages(1);
    await drained();
    // Assess: the message the coordinator receives
    const incident = opened(message);
    expect(incident.type).toBe('incident.opened');
    expect(incident.payload.severityBand).toBe('CRITICAL');
    expect(incident.payload.finding).toMatchObject({
      source: 'securityhub',
      id: 'shv2-0000000000000000000000000000000000000000000000000000000001',
      type: 'Execution:Runtime/NewBinaryExecuted',
      resources: [
        {
          kind: 'eks-cluster',
          clusterName: 'shv2-cluster',
          clusterArn: 'arn:aws:eks:us-east-1:123456789012:cluster/shv2-cluster',
          tags: { env: 'prod' },
        },
      ],
    });
    // Assess: the items detection wrote, read back from the table
    const items = await fixture.tableItems();
    expect(items).toContainEqual(
      expect.objectContaining({
        pk: 'RESOURCE#123456789012#eks-cluster:shv2-cluster',
        sk: 'OPEN',
        incidentId: incident.incidentId,
      }),
    );
    expect(items).toContainEqual(
      expect.objectContaining({
        pk: 'FINDING#securityhub#123456789012#shv2-0000000000000000000000000000000000000000000000000000000001',
        incidentId: incident.incidentId,
        firstPublished: true,
      }),
    );
    expect(await fixture.findingsCounted([service], 'accepted', 'securityhub')).toBe(1);
  });

  it('opens an incident for an EKS runtime finding with the pod, namespace, service account and node', async () => {
    // Prepare
    const event = guardDutyWorkloadFinding({
      resource: { kind: 'eks-pod', clusterName: 'eks-int', namespace: 'payments', podName: 'web-int-1' },
    });
    // Act
    await fixture.sendFindings([JSON.stringify(event)]);
    const [message] = await fixture.coordinatorMessages(1);
    await drained();
    // Assess
    const incident = opened(message);
    const [pod] = incident.payload.finding.resources;
    expect(pod).toMatchObject({
      kind: 'eks-workload',
      clusterName: 'eks-int',
      namespace: 'payments',
      workloadName: 'web-int-1',
      workloadType: 'pods',
      serviceAccountName: 'payments-api',
      node: { instanceId: 'i-0node0000000000001' },
      containers: [{ name: 'web', containerId: 'containerd-7f3e2d1c0b9a' }],
    });
    expect(incident.payload.finding.runtime?.process).toMatchObject({ name: 'xmrig', pid: 4242 });
    const key = pod ? resourceKey(pod) : '';
    expect(key).toBe('eks-workload:eks-int/payments/pods/web-int-1');
    expect(await fixture.tableItems()).toContainEqual(
      expect.objectContaining({ pk: `RESOURCE#123456789012#${key}`, incidentId: incident.incidentId }),
    );
  });

  it('opens an incident for an ECS finding with the task, its definition and containers', async () => {
    // Prepare
    const event = guardDutyWorkloadFinding({
      resource: { kind: 'ecs-task', clusterName: 'orders-int', taskId: '1a2b3c4d5e6f70819' },
    });
    // Act
    await fixture.sendFindings([JSON.stringify(event)]);
    const [message] = await fixture.coordinatorMessages(1);
    await drained();
    // Assess
    const incident = opened(message);
    const taskArn = 'arn:aws:ecs:us-east-1:123456789012:task/orders-int/1a2b3c4d5e6f70819';
    expect(incident.payload.finding.resources).toEqual([
      expect.objectContaining({
        kind: 'ecs-task',
        taskArn,
        clusterName: 'orders-int',
        taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/orders-api:12',
        launchType: 'FARGATE',
        containers: [expect.objectContaining({ name: 'api', containerId: 'ecs-0f1e2d3c-api' })],
      }),
    ]);
    expect(await fixture.tableItems()).toContainEqual(
      expect.objectContaining({
        pk: `RESOURCE#123456789012#ecs-task:${taskArn}`,
        incidentId: incident.incidentId,
      }),
    );
  });

  it('dead-letters an OCSF finding without finding_info.uid, with the reason and the field', async () => {
    // Prepare
    const event = securityHubV2Event() as {
      detail: { findings: { finding_info: Record<string, unknown> }[] };
    };
    const [finding] = event.detail.findings;
    if (finding) delete finding.finding_info.uid;
    const body = JSON.stringify(event);
    const rejectedBefore = await fixture.findingsCounted([service], 'rejected', 'securityhub');
    // Act
    await fixture.sendFindings([body]);
    const [dead] = await receiveMessages(
      fixture.clients.sqs,
      fixture.system.queues.findings.dlqUrl,
      1,
      30_000,
    );
    await drained();
    // Assess
    expect(dead?.Body).toBe(body);
    expect(dead?.MessageAttributes?.[DlqAttribute.reason]?.StringValue).toBe('schema');
    expect(dead?.MessageAttributes?.[DlqAttribute.detail]?.StringValue).toContain(
      'detail.findings[0].finding_info.uid',
    );
    expect(await fixture.findingsCounted([service], 'rejected', 'securityhub')).toBe(rejectedBefore + 1);
    expect(await queueDepth(fixture.clients.sqs, fixture.system.queues.coordinator.url)).toBe(0);
  });
});
