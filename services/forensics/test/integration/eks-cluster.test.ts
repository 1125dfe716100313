import { CreateFargateProfileCommand, EKSClient } from '@aws-sdk/client-eks';
import { baseClientConfig } from '@ir/runtime';
import { createEksCluster } from '@ir/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashVersion, incidentVersions, readJson, retentionOf } from './evidence-reader.js';
import { forensicsFixture, type StepResult } from './harness.js';

type Fixture = Awaited<ReturnType<typeof forensicsFixture>>;

function resultOf(answer: StepResult): Record<string, unknown> {
  if (answer.type !== 'step.succeeded')
    throw new Error(`expected success: ${JSON.stringify(answer.payload)}`);
  return answer.payload.result as Record<string, unknown>;
}

/** What the test reads of `eks-cluster.json`. */
interface EksDocument {
  clusterName: string;
  cluster: {
    arn: string;
    version: string;
    roleArn: string;
    identity: { oidc: { issuer: string } };
    resourcesVpcConfig: { subnetIds: string[]; publicAccessCidrs: string[] };
    tags: Record<string, string>;
  };
  endpointAccess: {
    endpointPublicAccess: boolean;
    endpointPrivateAccess: boolean;
    publicAccessCidrs: string[];
  };
  nodegroups: { items: { nodegroupName: string; nodeRole: string; subnets: string[] }[]; truncated: boolean };
  fargateProfiles: { names: string[]; truncated: boolean };
  reportedByFinding: Record<string, unknown>;
  podIdentityAssociations: { unavailable?: string; skipped?: string };
  gaps: { section: string; error: string }[];
}

describe('forensics service: evidence.collect-eks-cluster (on the emulator)', () => {
  let fixture: Fixture;
  let eks: EKSClient;
  beforeAll(async () => {
    fixture = await forensicsFixture();
    eks = new EKSClient(
      baseClientConfig({
        endpoint: fixture.endpoint,
        region: fixture.region,
        credentials: fixture.account.credentials,
      }),
    );
  });
  afterAll(async () => {
    eks.destroy();
    await fixture.stop();
  });

  /** A cluster with a node group `workers` and a Fargate profile `batch`. */
  async function createCluster() {
    const cluster = await createEksCluster({
      ...fixture.clients,
      eks,
      tags: { team: 'payments' },
      nodegroup: true,
    });
    await eks.send(
      new CreateFargateProfileCommand({
        clusterName: cluster.clusterName,
        fargateProfileName: 'batch',
        podExecutionRoleArn: cluster.nodeRoleArn,
        selectors: [{ namespace: 'batch' }],
      }),
    );
    return cluster;
  }

  it('stores the cluster configuration, node groups, Fargate profiles and what the finding said, hashed and locked', async () => {
    // Prepare
    const cluster = await createCluster();
    const params = {
      clusterName: cluster.clusterName,
      namespace: 'default',
      workloadName: 'web-7d9f',
      workloadType: 'pods',
      workloadUid: '0a1b2c3d-1111-2222-3333-444455556666',
      serviceAccountName: 'web',
      nodeInstanceId: 'i-0123456789abcdef0',
      labels: { app: 'web' },
    };
    const bucket = fixture.system.bucketName;

    // Act
    const collected = resultOf(await fixture.run('evidence.collect-eks-cluster', params, { stepId: 'eks' }));

    // Assess: the stored object is the one the step reports, by the test's own hash, and locked
    const key = `incidents/${fixture.incidentId}/eks/eks-cluster.json`;
    const stored = (await incidentVersions(fixture.clients.s3, bucket, fixture.incidentId)).find(
      (v) => v.key === key,
    );
    if (!stored) throw new Error(`no ${key}`);
    const artifact = collected.artifact as { key: string; sha256: string };
    expect(artifact.key).toBe(key);
    expect(await hashVersion(fixture.clients.s3, bucket, key, stored.versionId)).toBe(artifact.sha256);
    expect((await retentionOf(fixture.clients.s3, bucket, key, stored.versionId)).mode).toBe('GOVERNANCE');
    // Assess: what the artifact says, read back from S3
    const document = await readJson<EksDocument>(fixture.clients.s3, bucket, key);
    expect(document.cluster).toMatchObject({
      version: '1.31',
      roleArn: cluster.clusterRoleArn,
      tags: { team: 'payments' },
    });
    expect(document.cluster.identity.oidc.issuer).toMatch(/^https:\/\//);
    expect(document.cluster.resourcesVpcConfig.subnetIds).toEqual(cluster.subnetIds);
    expect(document.endpointAccess).toEqual({
      endpointPublicAccess: true,
      endpointPrivateAccess: false,
      publicAccessCidrs: ['0.0.0.0/0'],
    });
    expect(document.nodegroups.truncated).toBe(false);
    expect(document.nodegroups.items).toEqual([
      expect.objectContaining({ nodegroupName: 'workers', nodeRole: cluster.nodeRoleArn }),
    ]);
    expect(document.fargateProfiles).toEqual({ names: ['batch'], truncated: false });
    expect(document.reportedByFinding).toMatchObject({
      namespace: 'default',
      workloadName: 'web-7d9f',
      workloadType: 'pods',
      workloadUid: params.workloadUid,
      serviceAccountName: 'web',
      nodeInstanceId: 'i-0123456789abcdef0',
      labels: { app: 'web' },
      note: expect.stringContaining('as the finding reports them'),
    });
    // Emulator gap: moto 5.2.5 has no pod-identity API (ListPodIdentityAssociations answers 404 with
    // an HTML page). The artifact says so with the error instead of inventing associations; the
    // parsing of AWS's answer is covered by test/unit/eks-pod-identity.test.ts on AWS's documented
    // responses. When moto implements it, create an association here and assert on its role.
    expect(document.podIdentityAssociations.unavailable).toMatch(/^\S+: /);
    expect(document.gaps.map((g) => g.section)).toEqual(['podIdentityAssociations']);
    expect(collected).toMatchObject({
      clusterName: cluster.clusterName,
      version: '1.31',
      nodegroups: 1,
      fargateProfiles: 1,
      podIdentityRoleArns: null,
    });
  });

  it('skips pod identity when the finding names no service account, writes nothing on a dry run, and refuses a missing cluster', async () => {
    // Prepare
    const cluster = await createCluster();
    const incidentId = `dry-${cluster.clusterName}`;

    // Act
    const dry = resultOf(
      await fixture.run(
        'evidence.collect-eks-cluster',
        { clusterName: cluster.clusterName },
        { dryRun: true, incidentId },
      ),
    );
    const clusterOnly = resultOf(
      await fixture.run(
        'evidence.collect-eks-cluster',
        { clusterName: cluster.clusterName },
        { stepId: 'eks-cluster-only' },
      ),
    );
    const missing = await fixture.run('evidence.collect-eks-cluster', { clusterName: 'ir-no-such-cluster' });

    // Assess
    expect(dry.wouldWrite).toEqual([`incidents/${incidentId}/collect-eks-cluster/eks-cluster.json`]);
    expect(await incidentVersions(fixture.clients.s3, fixture.system.bucketName, incidentId)).toEqual([]);
    expect(clusterOnly.gaps).toEqual([]);
    const document = await readJson<EksDocument>(
      fixture.clients.s3,
      fixture.system.bucketName,
      `incidents/${fixture.incidentId}/eks-cluster-only/eks-cluster.json`,
    );
    expect(document.podIdentityAssociations.skipped).toBeDefined();
    expect(document.reportedByFinding).toEqual({ note: expect.any(String) });
    expect(missing.type).toBe('step.failed');
    expect(missing.payload).toMatchObject({ errorName: 'StepRefusedError' });
  });
});
