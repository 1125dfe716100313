import {
  DescribeNetworkInterfacesCommand,
  DescribeSnapshotAttributeCommand,
  DescribeSnapshotsCommand,
} from '@aws-sdk/client-ec2';
import { HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { SendMessageBatchCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { verifyEvidence } from '@ir/evidence';
import { createInstance, createVpc, type EmulatorClients, eventually } from '@ir/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { instanceFinding, type TargetInstance } from '../../support/findings.js';
import {
  type AccountHandle,
  type IncidentDetail,
  threeAccountSystem,
  type ThreeAccountSystem,
} from './three-accounts.js';

const region = process.env.AWS_REGION ?? 'us-east-1';
const TERMINAL = new Set(['completed', 'needs-attention', 'resolved', 'rolled-back']);

/** An instance in a member account with its VPC, as a finding names it. */
async function memberInstance(member: AccountHandle): Promise<TargetInstance> {
  const vpc = await createVpc({ ec2: member.clients.ec2, subnets: 1 });
  const instance = await createInstance({
    ec2: member.clients.ec2,
    subnetIds: vpc.subnetIds,
    volumes: [{ sizeGiB: 8 }],
  });
  return { ...instance, vpcId: vpc.vpcId, subnetIds: vpc.subnetIds };
}
type MemberInstance = TargetInstance;

/** A GuardDuty finding (EventBridge shape) from `accountId` about `instance`. */
const findingAbout = (accountId: string, instance: MemberInstance) =>
  instanceFinding(instance, { accountId, region });

/** When the coordinator recorded the incident as completed (ISO time; '~' sorts last when it did not). */
const completedAt = (detail: IncidentDetail) =>
  detail.timeline.find((entry) => entry.kind === 'incident-completed')?.at ?? '~';

/** Security groups of every ENI of an instance, read back from its own account. */
async function eniGroups(clients: EmulatorClients, instance: MemberInstance): Promise<string[][]> {
  const output = await clients.ec2.send(
    new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: instance.networkInterfaceIds }),
  );
  return (output.NetworkInterfaces ?? []).map((eni) => (eni.Groups ?? []).map((g) => g.GroupId ?? '').sort());
}

describe('organisation-wide response (security account, members A and B, an outsider)', () => {
  let system: ThreeAccountSystem;
  const send = async (finding: unknown) => {
    await system.security.clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: system.boot.queues.findings.url,
        MessageBody: JSON.stringify(finding),
      }),
    );
  };
  const incidentOf = async (accountId: string, instanceId: string): Promise<IncidentDetail | undefined> =>
    (await system.incidents()).find(
      (detail) =>
        detail.incident.target.accountId === accountId &&
        detail.steps.some((step) => JSON.stringify(step).includes(instanceId)),
    );
  const settled = async (accountId: string, instanceId: string, what: string) => {
    let found: IncidentDetail | undefined;
    try {
      await eventually(
        async () => {
          found = await incidentOf(accountId, instanceId);
          return found !== undefined && TERMINAL.has(found.incident.status);
        },
        240_000,
        what,
      );
    } catch (error: unknown) {
      // Say where it stands, so a failure names the step that held it up.
      const steps = found?.steps.map((step) => `${step.stepId}=${step.status}`).join(', ');
      throw new Error(
        `${(error as Error).message}: ${found?.incident.status ?? 'no incident'} [${steps ?? ''}]`,
      );
    }
    return found as IncidentDetail;
  };

  beforeAll(async () => {
    system = await threeAccountSystem({
      endpoint: inject('awsEndpoint'),
      region,
      env: {
        IR_WORKER_CONCURRENCY: '4',
        IR_ACCOUNT_CONCURRENCY: '1',
        IR_ACCOUNT_DEFER_SECONDS: '1',
        // The storm is several automatic containments: above the default blast radius they would wait for approval.
        IR_MAX_AUTO_CONTAINMENTS: '50',
      },
    });
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('isolates member A’s instance from a finding in A, and leaves B’s instance alone', async () => {
    // Prepare
    const instanceA = await memberInstance(system.memberA);
    const instanceB = await memberInstance(system.memberB);
    const groupsBefore = {
      a: await eniGroups(system.memberA.clients, instanceA),
      b: await eniGroups(system.memberB.clients, instanceB),
    };
    // Act
    await send(findingAbout(system.memberA.accountId, instanceA));
    const incident = await settled(system.memberA.accountId, instanceA.instanceId, 'A’s incident settled');
    // Assess
    expect(incident.incident.status).toBe('completed');
    expect(incident.steps.every((step) => step.target.accountId === system.memberA.accountId)).toBe(true);
    const groupsAfter = {
      a: await eniGroups(system.memberA.clients, instanceA),
      b: await eniGroups(system.memberB.clients, instanceB),
    };
    expect(groupsAfter.a).not.toEqual(groupsBefore.a);
    expect(groupsAfter.b).toEqual(groupsBefore.b);
  });

  it('keeps A’s evidence in the security account’s bucket and shares A’s snapshot copies with it', async () => {
    // Prepare
    const instanceA = await memberInstance(system.memberA);
    // Act
    await send(findingAbout(system.memberA.accountId, instanceA));
    const { incident } = await settled(
      system.memberA.accountId,
      instanceA.instanceId,
      'A’s evidence incident settled',
    );
    // Assess: artifacts are in the security account's bucket, collected from A, and verify.
    const s3 = system.security.clients.s3;
    const listed = await s3.send(
      new ListObjectsV2Command({
        Bucket: system.boot.bucketName,
        Prefix: `incidents/${incident.incidentId}/`,
      }),
    );
    const keys = (listed.Contents ?? []).map((object) => object.Key ?? '');
    expect(keys.length).toBeGreaterThan(0);
    const snapshotsArtifact = keys.find((key) => key.endsWith('snapshots.json'));
    expect(snapshotsArtifact).toBeDefined();
    const head = await s3.send(
      new HeadObjectCommand({ Bucket: system.boot.bucketName, Key: snapshotsArtifact }),
    );
    expect(head.Metadata?.['ir-source-account']).toBe(system.memberA.accountId);
    const report = await verifyEvidence({
      s3,
      bucket: system.boot.bucketName,
      incidentId: incident.incidentId,
      signing: { kms: system.security.clients.kms, keyId: system.boot.signingKeyArn },
    });
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    // Assess: the KMS copy of each snapshot in A is shared with the security account, read back in A.
    const snapshots = await system.memberA.clients.ec2.send(
      new DescribeSnapshotsCommand({
        OwnerIds: ['self'],
        Filters: [
          { Name: 'tag:ir:incident-id', Values: [incident.incidentId] },
          { Name: 'tag:ir:kind', Values: ['kms-copy'] },
        ],
      }),
    );
    expect(snapshots.Snapshots?.length ?? 0).toBeGreaterThan(0);
    for (const snapshot of snapshots.Snapshots ?? []) {
      const permission = await system.memberA.clients.ec2.send(
        new DescribeSnapshotAttributeCommand({
          SnapshotId: snapshot.SnapshotId,
          Attribute: 'createVolumePermission',
        }),
      );
      expect(permission.CreateVolumePermissions?.map((p) => p.UserId)).toContain(system.security.accountId);
    }
  });

  it('refuses a finding from an account that is not allowed, reports it, and changes nothing there', async () => {
    // Prepare
    const instance = await memberInstance(system.outsider);
    const groupsBefore = await eniGroups(system.outsider.clients, instance);
    // Act
    await send(findingAbout(system.outsider.accountId, instance));
    let refused: IncidentDetail | undefined;
    await eventually(
      async () => {
        refused = (await system.incidents()).find(
          (d) => d.incident.target.accountId === system.outsider.accountId,
        );
        return refused?.steps.some((step) => step.status === 'succeeded') === true;
      },
      60_000,
      'the refusal notified',
    );
    // Assess
    const detail = refused as IncidentDetail;
    expect(detail.incident.status).toBe('needs-attention');
    expect(detail.timeline.map((entry) => entry.kind)).toContain('account-refused');
    expect(detail.steps.map((step) => step.action)).toEqual(['notify.incident']);
    await eventually(
      () =>
        system.notifications.some(
          (n) => n.incidentId === detail.incident.incidentId && n.summary.includes(system.outsider.accountId),
        ),
      30_000,
      'the refusal published on the notifications topic',
    );
    expect(await eniGroups(system.outsider.clients, instance)).toEqual(groupsBefore);
    const snapshots = await system.outsider.clients.ec2.send(
      new DescribeSnapshotsCommand({
        OwnerIds: ['self'],
        Filters: [{ Name: 'tag:ir:incident-id', Values: [detail.incident.incidentId] }],
      }),
    );
    expect(snapshots.Snapshots ?? []).toEqual([]);
  });

  it('lets B’s incident complete while a storm of findings from A is still being handled', async () => {
    // Prepare: a storm of findings about distinct instances in A, then one finding in B.
    const storm = await Promise.all(Array.from({ length: 6 }, () => memberInstance(system.memberA)));
    const instanceB = await memberInstance(system.memberB);
    // Act
    for (let index = 0; index < storm.length; index += 10) {
      await system.security.clients.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: system.boot.queues.findings.url,
          Entries: storm.slice(index, index + 10).map((instance, offset) => ({
            Id: String(offset),
            MessageBody: JSON.stringify(findingAbout(system.memberA.accountId, instance)),
          })),
        }),
      );
    }
    await send(findingAbout(system.memberB.accountId, instanceB));
    const incidentB = await settled(system.memberB.accountId, instanceB.instanceId, 'B’s incident settled');
    const stormIncidents = await Promise.all(
      storm.map((instance) =>
        settled(system.memberA.accountId, instance.instanceId, 'a storm incident settled'),
      ),
    );
    // Assess: B completed before the last of A's storm did (order, from the incidents' own timelines).
    expect(incidentB.incident.status).toBe('completed');
    const lastStorm = stormIncidents.map(completedAt).sort().at(-1) as string;
    expect(completedAt(incidentB) < lastStorm).toBe(true);
  }, 540_000);
});
