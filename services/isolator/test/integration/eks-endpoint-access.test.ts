import { CreateClusterCommand, DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { baseClientConfig } from '@ir/runtime';
import { createRole, createVpc, uniqueName } from '@ir/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failed, isolatorFixture, succeeded } from './harness.js';

type Fixture = Awaited<ReturnType<typeof isolatorFixture>>;

const ALLOWED = ['203.0.113.0/24', '198.51.100.7/32'];

/*
 * Emulator gap: moto 5.2.5's UpdateClusterConfig replaces the cluster's whole resourcesVpcConfig with
 * what it is sent, where AWS merges it (subnets, security groups and private access stay). The action
 * sends only the public-access fields, so on the emulator the subnets and the private flag vanish
 * after a containment; these tests therefore assert on the public-access fields only, and
 * test/unit/eks-endpoint-update.test.ts checks the request and AWS's documented answer.
 */

function eksClient(fixture: Fixture): EKSClient {
  return new EKSClient(
    baseClientConfig({
      endpoint: fixture.endpoint,
      region: fixture.region,
      credentials: fixture.account.credentials,
    }),
  );
}

/** The cluster's public endpoint access and this action's record tags, read back from the emulator. */
async function readAccess(eks: EKSClient, name: string) {
  const cluster = (await eks.send(new DescribeClusterCommand({ name }))).cluster;
  return {
    endpointPublicAccess: cluster?.resourcesVpcConfig?.endpointPublicAccess,
    publicAccessCidrs: [...(cluster?.resourcesVpcConfig?.publicAccessCidrs ?? [])].sort(),
    records: Object.fromEntries(
      Object.entries(cluster?.tags ?? {}).filter(([key]) => key.startsWith('ir-record:eks-')),
    ),
    tags: cluster?.tags ?? {},
  };
}

async function createCluster(
  fixture: Fixture,
  eks: EKSClient,
  access: { endpointPrivateAccess: boolean; publicAccessCidrs: string[] },
) {
  const vpc = await createVpc({ ec2: fixture.clients.ec2 });
  const role = await createRole({ iam: fixture.clients.iam, trustedService: 'eks.amazonaws.com' });
  const clusterName = uniqueName('ir-eks');
  await eks.send(
    new CreateClusterCommand({
      name: clusterName,
      roleArn: role.arn,
      resourcesVpcConfig: { subnetIds: vpc.subnetIds, endpointPublicAccess: true, ...access },
      tags: { team: 'payments' },
    }),
  );
  return clusterName;
}

describe('contain.eks-endpoint-access with IR_EKS_ENDPOINT_ALLOWED_CIDRS (on the emulator)', () => {
  let fixture: Fixture;
  let eks: EKSClient;
  beforeAll(async () => {
    fixture = await isolatorFixture({ IR_EKS_ENDPOINT_ALLOWED_CIDRS: ALLOWED.join(',') });
    eks = eksClient(fixture);
  });
  afterAll(async () => {
    eks.destroy();
    await fixture.stop();
  });

  it('restricts the public endpoint to the configured CIDRs, converges when run twice, and the rollback restores the recorded access', async () => {
    // Prepare
    const clusterName = await createCluster(fixture, eks, {
      endpointPrivateAccess: true,
      publicAccessCidrs: ['0.0.0.0/0'],
    });

    // Act
    const first = succeeded(await fixture.runStep('contain.eks-endpoint-access', { clusterName }));

    // Assess: only the configured CIDRs reach the public endpoint; the record is on the cluster
    const restricted = await readAccess(eks, clusterName);
    expect(restricted).toMatchObject({ endpointPublicAccess: true, publicAccessCidrs: [...ALLOWED].sort() });
    expect(restricted.records).toEqual({
      'ir-record:eks-endpoint-restricted-by': 'inc-test-1',
      'ir-record:eks-endpoint-pre-state-0': 'public=true private=true cidrs=0.0.0.0/0',
    });
    expect(restricted.tags.team).toBe('payments');
    expect(first.preState).toEqual({
      clusterName,
      endpointPublicAccess: true,
      endpointPrivateAccess: true,
      publicAccessCidrs: ['0.0.0.0/0'],
    });
    expect(first.result.alreadyRestricted).toBe(false);
    expect(first.verified).toMatchObject({ endpointAccess: { publicAccessCidrs: [...ALLOWED].sort() } });

    // Act: the same command again (a lost answer, TRAPS 24)
    const second = succeeded(await fixture.runStep('contain.eks-endpoint-access', { clusterName }));

    // Assess: nothing changed, and the pre-state is still the one from before the first run
    expect(await readAccess(eks, clusterName)).toEqual(restricted);
    expect(second.preState).toEqual(first.preState);
    expect(second.result.alreadyRestricted).toBe(true);

    // Act: roll back from the first step's pre-state, twice
    const rollback = { originalStepId: first.stepId, preState: first.preState ?? {} };
    succeeded(await fixture.runStep('rollback.eks-endpoint-access', rollback));
    const restored = await readAccess(eks, clusterName);
    succeeded(await fixture.runStep('rollback.eks-endpoint-access', rollback));

    // Assess
    expect(restored).toMatchObject({
      endpointPublicAccess: true,
      publicAccessCidrs: ['0.0.0.0/0'],
      records: {},
    });
    expect(restored.tags.team).toBe('payments');
    expect(await readAccess(eks, clusterName)).toEqual(restored);
  });

  it('in dry-run changes nothing and says what it would change; a dry-run rollback changes nothing either', async () => {
    // Prepare
    const clusterName = await createCluster(fixture, eks, {
      endpointPrivateAccess: false,
      publicAccessCidrs: ['0.0.0.0/0'],
    });
    const before = await readAccess(eks, clusterName);

    // Act
    const dry = succeeded(
      await fixture.runStep('contain.eks-endpoint-access', { clusterName }, { dryRun: true }),
    );

    // Assess
    expect(await readAccess(eks, clusterName)).toEqual(before);
    expect(dry.result).toMatchObject({ dryRun: true, alreadyRestricted: false });
    expect((dry.result.wouldChange as string[]).join('\n')).toContain('203.0.113.0/24');
    expect(dry.preState).toMatchObject({ clusterName, publicAccessCidrs: ['0.0.0.0/0'] });

    // Prepare: a real containment to roll back
    const contained = succeeded(await fixture.runStep('contain.eks-endpoint-access', { clusterName }));
    const restricted = await readAccess(eks, clusterName);

    // Act
    const dryRollback = succeeded(
      await fixture.runStep(
        'rollback.eks-endpoint-access',
        { originalStepId: contained.stepId, preState: contained.preState ?? {} },
        { dryRun: true },
      ),
    );

    // Assess
    expect(await readAccess(eks, clusterName)).toEqual(restricted);
    expect((dryRollback.result.wouldChange as string[]).length).toBe(2);
  });

  it('refuses a cluster restricted under another incident, a missing cluster and a malformed pre-state, with step.failed', async () => {
    // Prepare
    const clusterName = await createCluster(fixture, eks, {
      endpointPrivateAccess: true,
      publicAccessCidrs: ['0.0.0.0/0'],
    });
    succeeded(await fixture.runStep('contain.eks-endpoint-access', { clusterName }, { incidentId: 'inc-a' }));
    const restricted = await readAccess(eks, clusterName);

    // Act
    const other = await fixture.runStep(
      'contain.eks-endpoint-access',
      { clusterName },
      { incidentId: 'inc-b' },
    );
    const missing = await fixture.runStep('contain.eks-endpoint-access', {
      clusterName: 'ir-no-such-cluster',
    });
    const bad = await fixture.runStep('rollback.eks-endpoint-access', {
      originalStepId: 's',
      preState: { clusterName },
    });

    // Assess
    expect(failed(other)).toMatchObject({ errorName: 'ContainmentRefusedError' });
    expect(failed(missing)).toMatchObject({ errorName: 'ResourceNotFoundError' });
    expect(failed(bad)).toMatchObject({ errorName: 'InvalidPreStateError' });
    expect(await readAccess(eks, clusterName)).toEqual(restricted);
  });
});

describe('contain.eks-endpoint-access without allowed CIDRs (on the emulator)', () => {
  let fixture: Fixture;
  let eks: EKSClient;
  beforeAll(async () => {
    fixture = await isolatorFixture();
    eks = eksClient(fixture);
  });
  afterAll(async () => {
    eks.destroy();
    await fixture.stop();
  });

  it('switches the public endpoint off when the private one is on, and the rollback puts back public access with its CIDRs', async () => {
    // Prepare
    const clusterName = await createCluster(fixture, eks, {
      endpointPrivateAccess: true,
      publicAccessCidrs: ['192.0.2.0/24'],
    });

    // Act
    const contained = succeeded(await fixture.runStep('contain.eks-endpoint-access', { clusterName }));
    const off = await readAccess(eks, clusterName);
    const repeat = succeeded(await fixture.runStep('contain.eks-endpoint-access', { clusterName }));
    succeeded(
      await fixture.runStep('rollback.eks-endpoint-access', {
        originalStepId: contained.stepId,
        preState: contained.preState ?? {},
      }),
    );

    // Assess
    expect(off.endpointPublicAccess).toBe(false);
    expect(off.records['ir-record:eks-endpoint-pre-state-0']).toBe(
      'public=true private=true cidrs=192.0.2.0/24',
    );
    expect(repeat.result.alreadyRestricted).toBe(true);
    expect(repeat.preState).toEqual(contained.preState);
    expect(await readAccess(eks, clusterName)).toMatchObject({
      endpointPublicAccess: true,
      publicAccessCidrs: ['192.0.2.0/24'],
      records: {},
    });
  });

  it('refuses to switch the public endpoint off when the private one is off too, and changes nothing', async () => {
    // Prepare
    const clusterName = await createCluster(fixture, eks, {
      endpointPrivateAccess: false,
      publicAccessCidrs: ['0.0.0.0/0'],
    });
    const before = await readAccess(eks, clusterName);

    // Act
    const answer = await fixture.runStep('contain.eks-endpoint-access', { clusterName });

    // Assess
    expect(failed(answer)).toMatchObject({ errorName: 'ContainmentRefusedError' });
    expect(failed(answer).reason).toContain('IR_EKS_ENDPOINT_ALLOWED_CIDRS');
    expect(await readAccess(eks, clusterName)).toEqual(before);
  });
});
