import { AuthorizeSecurityGroupIngressCommand, DescribeSnapshotsCommand } from '@aws-sdk/client-ec2';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { createInstance, createVpc } from '@ir/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ForensicsFixture, forensicsFixture } from './harness.js';

describe('forensics service: evidence.snapshot-volumes and evidence.capture-instance (on the emulator)', () => {
  let fixture: ForensicsFixture;
  let instance: Awaited<ReturnType<typeof createInstance>>;
  beforeAll(async () => {
    fixture = await forensicsFixture();
    const vpc = await createVpc({ ec2: fixture.clients.ec2 });
    instance = await createInstance({
      ec2: fixture.clients.ec2,
      subnetIds: vpc.subnetIds,
      eniCount: 2,
      volumes: [{ sizeGiB: 2 }],
      tags: { Name: 'suspect' },
    });
    await fixture.clients.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: instance.securityGroupIds[0],
        IpPermissions: [
          { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '203.0.113.0/24' }] },
        ],
      }),
    );
  });
  afterAll(async () => {
    await fixture?.service.stop();
  });

  it('snapshots both volumes of a two-volume instance, tagged with incident, instance, device and purpose', async () => {
    // Prepare
    expect(instance.volumeIds).toHaveLength(2);
    // Act
    const result = await fixture.run('evidence.snapshot-volumes', { instanceId: instance.instanceId });
    // Assess
    expect(result.type).toBe('step.succeeded');
    const { Snapshots: snapshots = [] } = await fixture.clients.ec2.send(
      new DescribeSnapshotsCommand({
        OwnerIds: ['self'],
        Filters: [{ Name: 'tag:ir:incident-id', Values: [fixture.incidentId] }],
      }),
    );
    expect(snapshots.map((s) => s.VolumeId).sort()).toEqual([...instance.volumeIds].sort());
    for (const snapshot of snapshots) {
      const tags = Object.fromEntries((snapshot.Tags ?? []).map((t) => [t.Key, t.Value]));
      expect(tags['ir:source-instance']).toBe(instance.instanceId);
      expect(tags['ir:purpose']).toBe('forensic evidence');
      expect(tags['ir:volume-id']).toBe(snapshot.VolumeId);
      expect(tags['ir:device']).toMatch(/^\/dev\//);
    }
  });

  it('captures every ENI and the security group rules in the instance artifact', async () => {
    // Prepare
    const stepId = 'capture-instance';
    // Act
    const result = await fixture.run(
      'evidence.capture-instance',
      { instanceId: instance.instanceId },
      { stepId },
    );
    // Assess
    expect(result.type).toBe('step.succeeded');
    const object = await fixture.clients.s3.send(
      new GetObjectCommand({
        Bucket: fixture.system.bucketName,
        Key: `incidents/${fixture.incidentId}/${stepId}/instance.json`,
      }),
    );
    const document = JSON.parse((await object.Body?.transformToString()) ?? '{}') as {
      networkInterfaces: Array<{ NetworkInterfaceId: string }>;
      securityGroups: Array<{
        GroupId: string;
        IpPermissions: Array<{ FromPort?: number; IpRanges?: Array<{ CidrIp?: string }> }>;
      }>;
      tags: Record<string, string>;
      userData: unknown;
      consoleOutput: unknown;
    };
    expect(document.networkInterfaces.map((eni) => eni.NetworkInterfaceId).sort()).toEqual(
      [...instance.networkInterfaceIds].sort(),
    );
    const primaryGroup = document.securityGroups.find((g) => g.GroupId === instance.securityGroupIds[0]);
    expect(primaryGroup?.IpPermissions).toContainEqual(
      expect.objectContaining({
        FromPort: 22,
        IpRanges: [expect.objectContaining({ CidrIp: '203.0.113.0/24' })],
      }),
    );
    expect(document.securityGroups.map((g) => g.GroupId).sort()).toEqual(
      [...instance.securityGroupIds].sort(),
    );
    expect(document.tags.Name).toBe('suspect');
    expect(document.consoleOutput).not.toBeNull();
  });

  it('answers step.failed, naming the instance, when the instance does not exist', async () => {
    // Prepare
    const missing = 'i-0123456789abcdef0';
    // Act
    const result = await fixture.run(
      'evidence.capture-instance',
      { instanceId: missing },
      { stepId: 'capture-missing' },
    );
    // Assess
    expect(result.type).toBe('step.failed');
    expect(result.type === 'step.failed' && result.payload.reason).toContain(missing);
  });
});
