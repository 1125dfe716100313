import { CreateOrUpdateTagsCommand } from '@aws-sdk/client-auto-scaling';
import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import {
  CreateTagsCommand,
  DescribeInstancesCommand,
  DescribeNetworkAclsCommand,
  DescribeNetworkInterfacesCommand,
} from '@aws-sdk/client-ec2';
import { DescribeTasksCommand, TagResourceCommand as EcsTag } from '@aws-sdk/client-ecs';
import { DescribeClusterCommand } from '@aws-sdk/client-eks';
import {
  GetLoginProfileCommand,
  ListAccessKeysCommand,
  ListAttachedRolePoliciesCommand,
  ListAttachedUserPoliciesCommand,
} from '@aws-sdk/client-iam';
import { GetFunctionConcurrencyCommand } from '@aws-sdk/client-lambda';
import { DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import { GetBucketPolicyCommand, HeadObjectCommand, PutObjectTaggingCommand } from '@aws-sdk/client-s3';
import type { CommandApproval, PayloadOf } from '@ir/contracts';
import {
  cloudTrailClient,
  createBucket,
  createEcsTask,
  createEksCluster,
  createIamUser,
  createInstance,
  createLambdaFunction,
  createMixedSecurityGroup,
  createRdsDatabase,
  createRole,
  createS3Object,
  createTrail,
  createVpc,
  heldPayload,
  ingressRuleSet,
  isLogging,
  rdsClient,
  uniqueName,
} from '@ir/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolatorFixture, type StepAnswer, succeeded } from './harness.js';
import { servePodIdentity, useProxiedIsolator } from './lost-answer-cases.js';

type Fixture = Awaited<ReturnType<typeof isolatorFixture>>;

/**
 * The protected tag as an owner might write it: `IR_PROTECTED_TAG` is `ir:protected=true`, and the
 * compare ignores case (issue 23). No finding is involved: the commands name the resource only, so
 * the only place the isolator can learn that it is protected is AWS itself (TRAPS 22).
 */
const PROTECTED = { 'IR:Protected': 'TRUE' } as const;
const FOUND = 'IR:Protected=TRUE';

/** What the coordinator sends once two people approved the step for a protected resource. */
const APPROVED: CommandApproval = { approvedBy: ['alice', 'bob'], holdReasons: ['protected-resource'] };

/** The `step.held` payload, checked to name `key` (and only protected resources) with the tag as found. */
function expectHeld(answer: StepAnswer, key: string): PayloadOf<'step.held'> {
  const held = heldPayload(answer);
  expect(held.reason).toBe('protected-resource');
  expect(held.resources).toContainEqual({ key, tag: FOUND });
  for (const resource of held.resources) expect(resource.tag).toBe(FOUND);
  return held;
}

async function interfaceGroups(
  fixture: Fixture,
  eniIds: readonly string[],
): Promise<Record<string, string[]>> {
  const output = await fixture.clients.ec2.send(
    new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [...eniIds] }),
  );
  return Object.fromEntries(
    (output.NetworkInterfaces ?? []).map((eni) => [
      eni.NetworkInterfaceId,
      (eni.Groups ?? []).map((group) => group.GroupId).sort(),
    ]),
  );
}

async function metadataEndpoint(fixture: Fixture, instanceId: string): Promise<string | undefined> {
  const output = await fixture.clients.ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
  return output.Reservations?.[0]?.Instances?.[0]?.MetadataOptions?.HttpEndpoint;
}

async function userState(fixture: Fixture, userName: string) {
  const keys = await fixture.clients.iam.send(new ListAccessKeysCommand({ UserName: userName }));
  const policies = await fixture.clients.iam.send(
    new ListAttachedUserPoliciesCommand({ UserName: userName }),
  );
  return {
    keys: (keys.AccessKeyMetadata ?? []).map((key) => key.Status),
    policies: (policies.AttachedPolicies ?? []).map((policy) => policy.PolicyName),
  };
}

async function bucketPolicy(fixture: Fixture, bucketName: string): Promise<string | undefined> {
  try {
    return (await fixture.clients.s3.send(new GetBucketPolicyCommand({ Bucket: bucketName }))).Policy;
  } catch {
    return undefined;
  }
}

describe('the protected-resource gate, with the tag only in AWS (on the emulator)', () => {
  let fixture: Fixture;
  let cloudtrail: CloudTrailClient;
  beforeAll(async () => {
    fixture = await isolatorFixture({ IR_EKS_KUBERNETES_API: 'unavailable' });
    cloudtrail = cloudTrailClient({
      endpoint: fixture.endpoint,
      region: fixture.region,
      credentials: fixture.account.credentials,
    });
  });
  afterAll(async () => {
    cloudtrail?.destroy();
    await fixture.stop();
  });

  describe('EC2', () => {
    it('holds an instance tagged protected, changes nothing; approved for protected-resource, isolates it', async () => {
      // Prepare
      const vpc = await createVpc({ ec2: fixture.clients.ec2 });
      const instance = await createInstance({
        ec2: fixture.clients.ec2,
        subnetIds: vpc.subnetIds,
        eniCount: 2,
        tags: PROTECTED,
      });
      const before = await interfaceGroups(fixture, instance.networkInterfaceIds);
      // Act
      const answer = await fixture.runStep('contain.ec2-instance', { instanceId: instance.instanceId });
      const dryRun = await fixture.runStep(
        'contain.ec2-instance',
        { instanceId: instance.instanceId },
        { dryRun: true },
      );
      // Assess
      expectHeld(answer, `ec2-instance:${instance.instanceId}`);
      expectHeld(dryRun, `ec2-instance:${instance.instanceId}`);
      expect(await interfaceGroups(fixture, instance.networkInterfaceIds)).toEqual(before);

      // Act: the same step, approved by two people for the protected resource.
      const approved = succeeded(
        await fixture.runStep(
          'contain.ec2-instance',
          { instanceId: instance.instanceId },
          { approval: APPROVED },
        ),
      );
      // Assess
      // (the factory tags the instance's ENIs as it tags the instance, so they are named too)
      const approvedFor = approved.result.protectedApproved as { resources: unknown[]; approvedBy: string[] };
      expect(approvedFor.approvedBy).toEqual(['alice', 'bob']);
      expect(approvedFor.resources).toContainEqual({
        key: `ec2-instance:${instance.instanceId}`,
        tag: FOUND,
      });
      const after = await interfaceGroups(fixture, instance.networkInterfaceIds);
      for (const eni of instance.networkInterfaceIds) expect(after[eni]).not.toEqual(before[eni]);
    });

    it('holds an instance whose ENI, volume or Auto Scaling group is protected, though the instance is not', async () => {
      // Prepare: three untagged instances; the protection is on what their containment changes too.
      const vpc = await createVpc({ ec2: fixture.clients.ec2 });
      const withEni = await createInstance({
        ec2: fixture.clients.ec2,
        subnetIds: vpc.subnetIds,
        eniCount: 2,
      });
      const eni = withEni.networkInterfaceIds[1] as string;
      await fixture.clients.ec2.send(
        new CreateTagsCommand({ Resources: [eni], Tags: [{ Key: 'ir:PROTECTED', Value: 'True' }] }),
      );
      const withVolume = await createInstance({
        ec2: fixture.clients.ec2,
        subnetIds: vpc.subnetIds,
        volumes: [{ sizeGiB: 1 }],
      });
      const volume = withVolume.volumeIds.at(-1) as string;
      await fixture.clients.ec2.send(
        new CreateTagsCommand({ Resources: [volume], Tags: [{ Key: 'IR:Protected', Value: 'TRUE' }] }),
      );
      const groupName = uniqueName('ir-protected-asg');
      const inGroup = await createInstance({
        ec2: fixture.clients.ec2,
        subnetIds: vpc.subnetIds,
        autoScaling: { client: fixture.clients.autoScaling, groupName },
      });
      await fixture.clients.autoScaling.send(
        new CreateOrUpdateTagsCommand({
          Tags: [
            {
              ResourceId: groupName,
              ResourceType: 'auto-scaling-group',
              Key: 'IR:Protected',
              Value: 'TRUE',
              PropagateAtLaunch: false,
            },
          ],
        }),
      );
      const before = await interfaceGroups(fixture, [
        ...withEni.networkInterfaceIds,
        ...withVolume.networkInterfaceIds,
        ...inGroup.networkInterfaceIds,
      ]);
      // Act
      const eniAnswer = await fixture.runStep('contain.ec2-instance', { instanceId: withEni.instanceId });
      const volumeAnswer = await fixture.runStep('contain.ec2-instance', {
        instanceId: withVolume.instanceId,
      });
      const groupAnswer = await fixture.runStep('contain.ec2-instance', { instanceId: inGroup.instanceId });
      // Assess
      expect(heldPayload(eniAnswer).resources).toEqual([
        { key: `ec2-network-interface:${eni}`, tag: 'ir:PROTECTED=True' },
      ]);
      expectHeld(volumeAnswer, `ec2-volume:${volume}`);
      expectHeld(groupAnswer, `autoscaling-group:${groupName}`);
      expect(
        await interfaceGroups(fixture, [
          ...withEni.networkInterfaceIds,
          ...withVolume.networkInterfaceIds,
          ...inGroup.networkInterfaceIds,
        ]),
      ).toEqual(before);
    });

    it('holds contain.ec2-metadata on a protected instance, and runs it on one tagged ir:protected=false', async () => {
      // Prepare
      const vpc = await createVpc({ ec2: fixture.clients.ec2 });
      const guarded = await createInstance({
        ec2: fixture.clients.ec2,
        subnetIds: vpc.subnetIds,
        tags: PROTECTED,
      });
      const plain = await createInstance({
        ec2: fixture.clients.ec2,
        subnetIds: vpc.subnetIds,
        tags: { 'ir:protected': 'false' },
      });
      // Act
      const held = await fixture.runStep('contain.ec2-metadata', { instanceId: guarded.instanceId });
      const ran = await fixture.runStep('contain.ec2-metadata', { instanceId: plain.instanceId });
      // Assess
      expectHeld(held, `ec2-instance:${guarded.instanceId}`);
      expect(await metadataEndpoint(fixture, guarded.instanceId)).toBe('enabled');
      expect(succeeded(ran).result.protectedApproved).toBeUndefined();
      expect(await metadataEndpoint(fixture, plain.instanceId)).toBe('disabled');
    });

    it('holds contain.security-group-ingress on a protected group; approved, revokes the rules', async () => {
      // Prepare
      const groupId = await createMixedSecurityGroup(fixture.clients.ec2);
      await fixture.clients.ec2.send(
        new CreateTagsCommand({ Resources: [groupId], Tags: [{ Key: 'IR:Protected', Value: 'TRUE' }] }),
      );
      const before = await ingressRuleSet(fixture.clients.ec2, groupId);
      // Act
      const answer = await fixture.runStep('contain.security-group-ingress', { groupId });
      // Assess
      expectHeld(answer, `ec2-security-group:${groupId}`);
      expect(await ingressRuleSet(fixture.clients.ec2, groupId)).toEqual(before);
      // Act / Assess: approved
      succeeded(await fixture.runStep('contain.security-group-ingress', { groupId }, { approval: APPROVED }));
      expect((await ingressRuleSet(fixture.clients.ec2, groupId)).length).toBeLessThan(before.length);
    });

    it('holds contain.block-ip when the subnet or the network ACL is protected, and adds no entry', async () => {
      // Prepare
      const bySubnet = await createVpc({ ec2: fixture.clients.ec2 });
      const subnetId = bySubnet.subnetIds[0] as string;
      await fixture.clients.ec2.send(
        new CreateTagsCommand({ Resources: [subnetId], Tags: [{ Key: 'IR:Protected', Value: 'TRUE' }] }),
      );
      const byAcl = await createVpc({ ec2: fixture.clients.ec2 });
      const acls = await fixture.clients.ec2.send(
        new DescribeNetworkAclsCommand({
          Filters: [{ Name: 'association.subnet-id', Values: byAcl.subnetIds }],
        }),
      );
      const networkAclId = acls.NetworkAcls?.[0]?.NetworkAclId as string;
      await fixture.clients.ec2.send(
        new CreateTagsCommand({ Resources: [networkAclId], Tags: [{ Key: 'IR:Protected', Value: 'TRUE' }] }),
      );
      const entries = async (filter: { subnetId?: string; networkAclId?: string }) =>
        (
          await fixture.clients.ec2.send(
            new DescribeNetworkAclsCommand(
              filter.networkAclId
                ? { NetworkAclIds: [filter.networkAclId] }
                : { Filters: [{ Name: 'association.subnet-id', Values: [filter.subnetId as string] }] },
            ),
          )
        ).NetworkAcls?.[0]?.Entries?.length;
      const beforeSubnet = await entries({ subnetId });
      const beforeAcl = await entries({ networkAclId });
      // Act
      const subnetAnswer = await fixture.runStep('contain.block-ip', { subnetId, cidr: '203.0.113.7/32' });
      const aclAnswer = await fixture.runStep('contain.block-ip', { networkAclId, cidr: '203.0.113.8/32' });
      // Assess
      expectHeld(subnetAnswer, `ec2-subnet:${subnetId}`);
      expectHeld(aclAnswer, `ec2-network-acl:${networkAclId}`);
      expect(await entries({ subnetId })).toBe(beforeSubnet);
      expect(await entries({ networkAclId })).toBe(beforeAcl);
    });
  });

  describe('IAM', () => {
    it('holds contain.iam-user, contain.access-key and contain.remove-login-profile on a protected user; approved, contains it', async () => {
      // Prepare
      const user = await createIamUser({ iam: fixture.clients.iam, loginProfile: true, tags: PROTECTED });
      const before = await userState(fixture, user.userName);
      // Act
      const userAnswer = await fixture.runStep('contain.iam-user', { userName: user.userName });
      const keyAnswer = await fixture.runStep('contain.access-key', {
        userName: user.userName,
        accessKeyId: user.accessKeyIds[0] as string,
      });
      const profileAnswer = await fixture.runStep('contain.remove-login-profile', {
        userName: user.userName,
      });
      // Assess
      for (const answer of [userAnswer, keyAnswer, profileAnswer])
        expectHeld(answer, `iam-user:${user.userName}`);
      expect(await userState(fixture, user.userName)).toEqual(before);
      await expect(
        fixture.clients.iam.send(new GetLoginProfileCommand({ UserName: user.userName })),
      ).resolves.toBeDefined();
      // Act / Assess: approved
      succeeded(
        await fixture.runStep('contain.iam-user', { userName: user.userName }, { approval: APPROVED }),
      );
      const after = await userState(fixture, user.userName);
      expect(after.keys).toEqual(['Inactive']);
      expect(after.policies).toHaveLength(1);
    });

    it('holds contain.role-sessions on a protected role (IAM principals never carry tags in a finding)', async () => {
      // Prepare
      const role = await createRole({ iam: fixture.clients.iam, tags: PROTECTED });
      const attached = async () =>
        (await fixture.clients.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: role.roleName })))
          .AttachedPolicies ?? [];
      // Act
      const answer = await fixture.runStep('contain.role-sessions', { roleName: role.roleName });
      // Assess
      expectHeld(answer, `iam-role:${role.roleName}`);
      expect(await attached()).toEqual([]);
      // Act / Assess: approved for another reason only: still held.
      const otherReason = await fixture.runStep(
        'contain.role-sessions',
        { roleName: role.roleName },
        { approval: { approvedBy: ['alice'], holdReasons: ['approval-required'] } },
      );
      expectHeld(otherReason, `iam-role:${role.roleName}`);
      expect(await attached()).toEqual([]);
      // Act / Assess: approved for the protected resource
      succeeded(
        await fixture.runStep('contain.role-sessions', { roleName: role.roleName }, { approval: APPROVED }),
      );
      expect(await attached()).toHaveLength(1);
    });
  });

  describe('S3', () => {
    it('holds contain.s3-bucket on a protected bucket; approved, adds the deny', async () => {
      // Prepare
      const bucket = await createBucket({ s3: fixture.clients.s3, tags: PROTECTED });
      // Act
      const answer = await fixture.runStep('contain.s3-bucket', { bucketName: bucket.bucketName });
      // Assess
      expectHeld(answer, `s3-bucket:${bucket.bucketName}`);
      expect(await bucketPolicy(fixture, bucket.bucketName)).toBeUndefined();
      // Act / Assess
      succeeded(
        await fixture.runStep('contain.s3-bucket', { bucketName: bucket.bucketName }, { approval: APPROVED }),
      );
      expect(await bucketPolicy(fixture, bucket.bucketName)).toContain('Deny');
    });

    it('holds contain.s3-object on a protected object and contain.s3-object-delete in a protected bucket', async () => {
      // Prepare: a protected object in an ordinary bucket; an ordinary object in a protected bucket.
      const object = await createS3Object({ s3: fixture.clients.s3 });
      await fixture.clients.s3.send(
        new PutObjectTaggingCommand({
          Bucket: object.bucketName,
          Key: object.key,
          VersionId: object.versionId,
          Tagging: { TagSet: [{ Key: 'IR:Protected', Value: 'TRUE' }] },
        }),
      );
      const bucket = await createBucket({ s3: fixture.clients.s3, tags: PROTECTED });
      const inProtected = await createS3Object({ s3: fixture.clients.s3, bucketName: bucket.bucketName });
      // Act
      const objectAnswer = await fixture.runStep('contain.s3-object', {
        bucketName: object.bucketName,
        key: object.key,
        versionId: object.versionId,
      });
      const deleteAnswer = await fixture.runStep('contain.s3-object-delete', {
        bucketName: inProtected.bucketName,
        key: inProtected.key,
        versionId: inProtected.versionId,
      });
      // Assess
      expectHeld(objectAnswer, `s3-object:${object.bucketName}/${object.key}#${object.versionId}`);
      expectHeld(deleteAnswer, `s3-bucket:${bucket.bucketName}`);
      expect(await bucketPolicy(fixture, object.bucketName)).toBeUndefined();
      await expect(
        fixture.clients.s3.send(
          new HeadObjectCommand({
            Bucket: inProtected.bucketName,
            Key: inProtected.key,
            VersionId: inProtected.versionId,
          }),
        ),
      ).resolves.toBeDefined();
    });
  });

  describe('other services', () => {
    it('holds contain.cloudtrail-logging on a protected trail; approved, starts it', async () => {
      // Prepare
      const arn = await createTrail(
        { s3: fixture.clients.s3, cloudtrail },
        { name: uniqueName('ir-protected-trail'), logging: false },
      );
      const { AddTagsCommand } = await import('@aws-sdk/client-cloudtrail');
      await cloudtrail.send(
        new AddTagsCommand({ ResourceId: arn, TagsList: [{ Key: 'IR:Protected', Value: 'TRUE' }] }),
      );
      // Act
      const answer = await fixture.runStep('contain.cloudtrail-logging', { trail: arn });
      // Assess
      expectHeld(answer, `cloudtrail-trail:${arn}`);
      expect(await isLogging(cloudtrail, arn)).toBe(false);
      // Act / Assess
      succeeded(await fixture.runStep('contain.cloudtrail-logging', { trail: arn }, { approval: APPROVED }));
      expect(await isLogging(cloudtrail, arn)).toBe(true);
    });

    it('holds contain.lambda-function on a protected function; approved, stops it', async () => {
      // Prepare
      const fn = await createLambdaFunction({
        clients: fixture.clients,
        region: fixture.region,
        functionName: uniqueName('ir-protected-fn'),
        tags: PROTECTED,
      });
      const concurrency = async () =>
        (
          await fixture.clients.lambda.send(
            new GetFunctionConcurrencyCommand({ FunctionName: fn.functionName }),
          )
        ).ReservedConcurrentExecutions;
      // Act
      const answer = await fixture.runStep('contain.lambda-function', { functionName: fn.functionName });
      // Assess
      expectHeld(answer, `lambda-function:${fn.functionArn}`);
      expect(await concurrency()).toBeUndefined();
      // Act / Assess
      succeeded(
        await fixture.runStep(
          'contain.lambda-function',
          { functionName: fn.functionName },
          { approval: APPROVED },
        ),
      );
      expect(await concurrency()).toBe(0);
    });

    it('holds both RDS containments on a protected instance, and a cluster with a protected member', async () => {
      // Prepare
      const rds = rdsClient({
        endpoint: fixture.endpoint,
        region: fixture.region,
        credentials: fixture.account.credentials,
      });
      const instance = await createRdsDatabase({
        ec2: fixture.clients.ec2,
        rds,
        kind: 'instance',
        publiclyAccessible: true,
        tags: PROTECTED,
      });
      const cluster = await createRdsDatabase({ ec2: fixture.clients.ec2, rds, kind: 'cluster' });
      const member = cluster.instanceIds[0] as string;
      const memberArn = (await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: member })))
        .DBInstances?.[0]?.DBInstanceArn as string;
      const { AddTagsToResourceCommand } = await import('@aws-sdk/client-rds');
      await rds.send(
        new AddTagsToResourceCommand({
          ResourceName: memberArn,
          Tags: [{ Key: 'IR:Protected', Value: 'TRUE' }],
        }),
      );
      const state = async (id: string) => {
        const db = (await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id })))
          .DBInstances?.[0];
        return {
          groups: (db?.VpcSecurityGroups ?? []).map((group) => group.VpcSecurityGroupId).sort(),
          public: db?.PubliclyAccessible,
        };
      };
      const before = { instance: await state(instance.id), member: await state(member) };
      // Act
      const isolate = await fixture.runStep('contain.rds-database', { dbInstanceIdentifier: instance.id });
      const makePrivate = await fixture.runStep('contain.rds-public-access', {
        dbInstanceIdentifier: instance.id,
      });
      const clusterAnswer = await fixture.runStep('contain.rds-database', {
        dbClusterIdentifier: cluster.id,
      });
      // Assess
      expectHeld(isolate, `rds-database:instance/${instance.id}`);
      expectHeld(makePrivate, `rds-database:instance/${instance.id}`);
      expectHeld(clusterAnswer, `rds-database:instance/${member}`);
      expect({ instance: await state(instance.id), member: await state(member) }).toEqual(before);
      // Act / Assess
      succeeded(
        await fixture.runStep(
          'contain.rds-public-access',
          { dbInstanceIdentifier: instance.id },
          { approval: APPROVED },
        ),
      );
      expect((await state(instance.id)).public).toBe(false);
      rds.destroy();
    });

    it('holds both ECS containments when the task or its cluster is protected', async () => {
      // Prepare: a task in a protected cluster; a protected task in an ordinary cluster.
      const vpc = await createVpc({ ec2: fixture.clients.ec2 });
      const inProtectedCluster = await createEcsTask({
        ecs: fixture.clients.ecs,
        ec2: fixture.clients.ec2,
        subnetIds: vpc.subnetIds,
        tags: PROTECTED,
      });
      const task = await createEcsTask({
        ecs: fixture.clients.ecs,
        ec2: fixture.clients.ec2,
        subnetIds: vpc.subnetIds,
      });
      await fixture.clients.ecs.send(
        new EcsTag({ resourceArn: task.taskArn, tags: [{ key: 'IR:Protected', value: 'TRUE' }] }),
      );
      const taskState = async (created: { taskArn: string; clusterName: string }) => {
        const output = await fixture.clients.ecs.send(
          new DescribeTasksCommand({
            cluster: created.clusterName,
            tasks: [created.taskArn],
            include: ['TAGS'],
          }),
        );
        const described = output.tasks?.[0];
        return {
          status: described?.desiredStatus,
          tags: (described?.tags ?? []).map((tag) => tag.key).sort(),
        };
      };
      const before = [await taskState(inProtectedCluster), await taskState(task)];
      // Act
      const isolate = await fixture.runStep('contain.ecs-task', { taskArn: inProtectedCluster.taskArn });
      const stop = await fixture.runStep('contain.ecs-task-stop', { taskArn: task.taskArn });
      // Assess
      expectHeld(isolate, `ecs-cluster:${inProtectedCluster.clusterName}`);
      expectHeld(stop, `ecs-task:${task.taskArn}`);
      expect([await taskState(inProtectedCluster), await taskState(task)]).toEqual(before);
    });

    it('holds every EKS containment on a protected cluster', async () => {
      // Prepare
      const cluster = await createEksCluster({
        eks: fixture.clients.eks,
        ec2: fixture.clients.ec2,
        iam: fixture.clients.iam,
        tags: PROTECTED,
      });
      const clusterName = cluster.clusterName;
      const access = async () =>
        (await fixture.clients.eks.send(new DescribeClusterCommand({ name: clusterName }))).cluster
          ?.resourcesVpcConfig;
      const before = await access();
      const pod = { clusterName, namespace: 'payments', podName: 'api-0' };
      // Act
      const answers = [
        await fixture.runStep('contain.eks-endpoint-access', { clusterName }),
        await fixture.runStep('contain.eks-pod-network', pod),
        await fixture.runStep('contain.eks-node-cordon', pod),
        await fixture.runStep('contain.eks-workload-role', {
          clusterName,
          namespace: 'payments',
          serviceAccountName: 'api',
        }),
      ];
      // Assess
      for (const answer of answers) expectHeld(answer, `eks-cluster:${clusterName}`);
      expect(await access()).toEqual(before);
    });
  });
});

describe('the gate of contain.eks-workload-role, through the fault proxy (Pod Identity replayed)', () => {
  const isolator = useProxiedIsolator();

  it('holds the step when a role the service account assumes is protected in AWS, the cluster not', async () => {
    // Prepare: an unprotected cluster whose service account's Pod Identity association names a
    // protected role (moto has no Pod Identity API: the proxy routes it to the replay server)
    const { fixture, clients } = isolator;
    const cluster = await createEksCluster({
      eks: fixture.clients.eks,
      ec2: fixture.clients.ec2,
      iam: fixture.clients.iam,
    });
    const role = await createRole({
      iam: fixture.clients.iam,
      trustedService: 'pods.eks.amazonaws.com',
      tags: PROTECTED,
    });
    servePodIdentity(clients.podIdentity, cluster.clusterName, role.arn);
    const attached = async () =>
      (await fixture.clients.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: role.roleName })))
        .AttachedPolicies ?? [];
    const params = { clusterName: cluster.clusterName, namespace: 'default', serviceAccountName: 'app-sa' };

    // Act
    const answer = await fixture.runStep('contain.eks-workload-role', params);

    // Assess: held naming the role, nothing attached; approved, the quarantine policy is attached
    const held = expectHeld(answer, `iam-role:${role.roleName}`);
    expect(held.resources.map((resource) => resource.key)).not.toContain(
      `eks-cluster:${cluster.clusterName}`,
    );
    expect(await attached()).toEqual([]);
    succeeded(await fixture.runStep('contain.eks-workload-role', params, { approval: APPROVED }));
    expect(await attached()).toHaveLength(1);
  });
});
