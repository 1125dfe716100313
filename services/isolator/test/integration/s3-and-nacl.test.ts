import {
  CreateNetworkAclEntryCommand,
  DescribeNetworkAclsCommand,
  type NetworkAclEntry,
} from '@aws-sdk/client-ec2';
import { GetBucketPolicyCommand, GetPublicAccessBlockCommand } from '@aws-sdk/client-s3';
import { createBucket, createVpc } from '@ir/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolatorFixture, succeeded } from './harness.js';

type Fixture = Awaited<ReturnType<typeof isolatorFixture>>;

async function readBucket(fixture: Fixture, bucket: string) {
  const pab = await fixture.clients.s3
    .send(new GetPublicAccessBlockCommand({ Bucket: bucket }))
    .then((o) => o.PublicAccessBlockConfiguration ?? null)
    .catch(() => null);
  const policy = await fixture.clients.s3
    .send(new GetBucketPolicyCommand({ Bucket: bucket }))
    .then((o) => JSON.parse(o.Policy ?? '{}') as { Statement: { Sid?: string; Effect: string }[] })
    .catch(() => null);
  return { pab, policy };
}

describe('contain.s3-bucket and rollback.s3-bucket (on the emulator)', () => {
  let fixture: Fixture;
  beforeAll(async () => {
    fixture = await isolatorFixture();
  });
  afterAll(async () => {
    await fixture.stop();
  });

  it('turns the public-access block on and adds a deny, keeping the previous statements; twice is the same; rollback restores both', async () => {
    // Prepare
    const previous = {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'PublicRead',
          Effect: 'Allow',
          Principal: '*',
          Action: 's3:GetObject',
          Resource: 'arn:aws:s3:::BUCKET/*',
        },
      ],
    };
    const name = `ir-test-${Date.now()}`;
    previous.Statement[0] = {
      ...previous.Statement[0],
      Resource: `arn:aws:s3:::${name}/*`,
    } as (typeof previous.Statement)[0];
    const bucket = await createBucket({
      s3: fixture.clients.s3,
      name,
      policy: previous,
      publicAccessBlock: {
        BlockPublicAcls: true,
        IgnorePublicAcls: false,
        BlockPublicPolicy: false,
        RestrictPublicBuckets: false,
      },
    });
    const before = await readBucket(fixture, bucket.bucketName);
    // Act
    const dry = succeeded(
      await fixture.runStep('contain.s3-bucket', { bucketName: bucket.bucketName }, { dryRun: true }),
    );
    const afterDry = await readBucket(fixture, bucket.bucketName);
    const first = succeeded(
      await fixture.runStep('contain.s3-bucket', {
        bucketName: bucket.bucketName,
        allowPrincipalArns: ['arn:aws:iam::111122223333:role/forensics'],
      }),
    );
    const once = await readBucket(fixture, bucket.bucketName);
    const second = succeeded(await fixture.runStep('contain.s3-bucket', { bucketName: bucket.bucketName }));
    // Assess
    expect(afterDry).toEqual(before);
    expect(dry.result.wouldChange).toHaveLength(2);
    expect(once.pab).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    });
    expect(once.policy?.Statement).toHaveLength(2);
    expect(once.policy?.Statement[0]).toEqual(previous.Statement[0]);
    expect(once.policy?.Statement[1]?.Effect).toBe('Deny');
    expect(JSON.stringify(once.policy)).toContain('arn:aws:iam::111122223333:role/forensics');
    expect(await readBucket(fixture, bucket.bucketName)).toEqual(once);
    expect(second.preState).toEqual(first.preState);
    // Act: rollback
    succeeded(
      await fixture.runStep('rollback.s3-bucket', {
        originalStepId: first.stepId,
        preState: first.preState ?? {},
      }),
    );
    // Assess
    expect(await readBucket(fixture, bucket.bucketName)).toEqual(before);
  });

  it('rolls back a bucket that had no policy and no block to exactly that', async () => {
    // Prepare
    const bucket = await createBucket({ s3: fixture.clients.s3 });
    // Act
    const contained = succeeded(
      await fixture.runStep('contain.s3-bucket', { bucketName: bucket.bucketName }),
    );
    const during = await readBucket(fixture, bucket.bucketName);
    succeeded(
      await fixture.runStep('rollback.s3-bucket', {
        originalStepId: contained.stepId,
        preState: contained.preState ?? {},
      }),
    );
    // Assess
    expect(during.policy?.Statement).toHaveLength(1);
    expect(await readBucket(fixture, bucket.bucketName)).toEqual({ pab: null, policy: null });
  });
});

describe('contain.block-ip and rollback.block-ip (on the emulator)', () => {
  let fixture: Fixture;
  beforeAll(async () => {
    fixture = await isolatorFixture({ IR_NACL_RULE_MIN: '10', IR_NACL_RULE_MAX: '20' });
  });
  afterAll(async () => {
    await fixture.stop();
  });

  const view = (entries: NetworkAclEntry[] = []) =>
    entries
      .map(
        (e) => `${e.Egress ? 'out' : 'in'}:${e.RuleNumber}:${e.RuleAction}:${e.CidrBlock ?? e.Ipv6CidrBlock}`,
      )
      .sort();

  async function aclOf(subnetId: string) {
    const output = await fixture.clients.ec2.send(
      new DescribeNetworkAclsCommand({ Filters: [{ Name: 'association.subnet-id', Values: [subnetId] }] }),
    );
    return output.NetworkAcls?.[0];
  }

  it('denies the address inbound and outbound at a free reserved number, keeps an existing rule, twice is the same, rollback removes only ours', async () => {
    // Prepare: someone else's rule sits at the first reserved number.
    const vpc = await createVpc({ ec2: fixture.clients.ec2 });
    const subnetId = vpc.subnetIds[0] ?? '';
    const acl = await aclOf(subnetId);
    const networkAclId = acl?.NetworkAclId ?? '';
    for (const Egress of [false, true]) {
      await fixture.clients.ec2.send(
        new CreateNetworkAclEntryCommand({
          NetworkAclId: networkAclId,
          RuleNumber: 10,
          Egress,
          Protocol: '6',
          RuleAction: 'allow',
          CidrBlock: '10.0.0.0/8',
          PortRange: { From: 443, To: 443 },
        }),
      );
    }
    const before = view((await aclOf(subnetId))?.Entries);
    // Act
    const dry = succeeded(
      await fixture.runStep('contain.block-ip', { subnetId, cidr: '198.51.100.7/32' }, { dryRun: true }),
    );
    const afterDry = view((await aclOf(subnetId))?.Entries);
    const first = succeeded(await fixture.runStep('contain.block-ip', { subnetId, cidr: '198.51.100.7/32' }));
    const once = view((await aclOf(subnetId))?.Entries);
    const second = succeeded(
      await fixture.runStep('contain.block-ip', { subnetId, cidr: '198.51.100.7/32' }),
    );
    const v6 = succeeded(
      await fixture.runStep('contain.block-ip', { networkAclId, cidr: '2001:db8::1/128' }),
    );
    // Assess
    expect(afterDry).toEqual(before);
    expect(dry.result.wouldChange).toHaveLength(2);
    expect(first.result.ruleNumber).toBe(11);
    expect(once).toEqual([...before, 'in:11:deny:198.51.100.7/32', 'out:11:deny:198.51.100.7/32'].sort());
    expect(once).toContain('in:10:allow:10.0.0.0/8');
    expect(view((await aclOf(subnetId))?.Entries)).toEqual(
      [...once, 'in:12:deny:2001:db8::1/128', 'out:12:deny:2001:db8::1/128'].sort(),
    );
    expect(second.preState).toEqual(first.preState);
    // Act: rollback both
    succeeded(
      await fixture.runStep('rollback.block-ip', {
        originalStepId: first.stepId,
        preState: first.preState ?? {},
      }),
    );
    succeeded(
      await fixture.runStep('rollback.block-ip', { originalStepId: v6.stepId, preState: v6.preState ?? {} }),
    );
    // Assess
    expect(view((await aclOf(subnetId))?.Entries)).toEqual(before);
  });
});
