import {
  GetBucketPolicyCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
} from '@aws-sdk/client-s3';
import { createS3Object } from '@ir/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failed, isolatorFixture, succeeded } from './harness.js';
import { storeEvidence } from './evidence-copy.js';

type Fixture = Awaited<ReturnType<typeof isolatorFixture>>;
interface Statement {
  Sid?: string;
  Effect: string;
  Action: unknown;
  Resource: unknown;
  Condition?: unknown;
}

async function policyOf(fixture: Fixture, bucket: string): Promise<Statement[] | null> {
  return fixture.clients.s3
    .send(new GetBucketPolicyCommand({ Bucket: bucket }))
    .then((o) => (JSON.parse(o.Policy ?? '{}') as { Statement: Statement[] }).Statement)
    .catch((error: unknown) => {
      if ((error as { name?: string }).name === 'NoSuchBucketPolicy') return null;
      throw error;
    });
}

async function tagsOf(fixture: Fixture, bucket: string, key: string, versionId: string) {
  const output = await fixture.clients.s3.send(
    new GetObjectTaggingCommand({ Bucket: bucket, Key: key, VersionId: versionId }),
  );
  return Object.fromEntries((output.TagSet ?? []).map((t) => [t.Key, t.Value]));
}

/** The HTTP status of a GetObject of the key's current version, as the emulator's admin. */
async function readObject(fixture: Fixture, bucket: string, key: string): Promise<number> {
  return fixture.clients.s3
    .send(new GetObjectCommand({ Bucket: bucket, Key: key }))
    .then((o) => o.$metadata.httpStatusCode ?? 0)
    .catch(
      (error: unknown) =>
        (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? 0,
    );
}

async function versionExists(fixture: Fixture, bucket: string, key: string, versionId: string) {
  return fixture.clients.s3
    .send(new HeadObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }))
    .then(() => true)
    .catch(() => false);
}

const PUBLIC_READ = (bucket: string) => ({
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'AppRead',
      Effect: 'Allow',
      Principal: '*',
      Action: 's3:GetObject',
      Resource: `arn:aws:s3:::${bucket}/*`,
    },
  ],
});

describe('contain.s3-object and rollback.s3-object (on the emulator)', () => {
  let fixture: Fixture;
  beforeAll(async () => {
    fixture = await isolatorFixture();
  });
  afterAll(async () => {
    await fixture.stop();
  });

  it('adds a deny on exactly that key beside the existing statements and tags the version; a repeat keeps the first pre-state; rollback restores both', async () => {
    // Prepare
    const name = `ir-test-uploads-${Date.now()}`;
    const object = await createS3Object({
      s3: fixture.clients.s3,
      bucketName: name,
      policy: PUBLIC_READ(name),
      tags: { 'data-class': 'customer', owner: 'billing' },
      laterBodies: ['clean invoice'],
    });
    const params = { bucketName: object.bucketName, key: object.key, versionId: object.versionId };
    const before = {
      policy: await policyOf(fixture, name),
      tags: await tagsOf(fixture, name, object.key, object.versionId),
    };
    // Act
    const dry = succeeded(await fixture.runStep('contain.s3-object', params, { dryRun: true }));
    const afterDry = {
      policy: await policyOf(fixture, name),
      tags: await tagsOf(fixture, name, object.key, object.versionId),
    };
    // A first run whose answer was lost after the tag (TRAPS 24): the tag is there, the deny is not.
    const partial = succeeded(await fixture.runStep('contain.s3-object', { ...params, denyReads: false }));
    const contained = succeeded(await fixture.runStep('contain.s3-object', params));
    const policy = await policyOf(fixture, name);
    const read = await readObject(fixture, name, object.key);
    // Assess: dry run changed nothing
    expect(afterDry).toEqual(before);
    expect(dry.result.wouldChange).toHaveLength(2);
    // the repeat recorded the tags from before the first run, not ours
    expect(contained.preState).toMatchObject({ tags: before.tags, versionId: object.versionId });
    expect(contained.preState).toMatchObject({ tags: (partial.preState as { tags: unknown }).tags });
    // the previous statement is kept, and one deny on exactly the object's ARN is added
    expect(policy?.[0]).toEqual(before.policy?.[0]);
    const deny = policy?.filter((s) => s.Effect === 'Deny') ?? [];
    expect(deny).toHaveLength(1);
    expect(deny[0]?.Sid).toMatch(/^IrDenyMaliciousObjectinctest1[0-9a-f]{12}$/);
    expect(deny[0]?.Action).toBe('s3:GetObject*');
    expect(deny[0]?.Resource).toBe(`arn:aws:s3:::${name}/${object.key}`);
    expect(deny[0]?.Condition).toHaveProperty(['StringNotLike', 'aws:PrincipalArn']);
    // The tags as the isolator read them back before adding the deny. Emulator gap: moto 5.2.5
    // applies a bucket policy's Deny to every GET of the key but ignores its Condition, so after the
    // deny nobody (not even the excepted response roles) can read the object or its tags there.
    expect((contained.verified as { tags: unknown }).tags).toEqual({
      ...before.tags,
      'ir:quarantined-by': 'inc-test-1',
    });
    // the emulator does deny the read (of every version of the key)
    expect(read).toBe(403);

    // Act: roll back twice (the second converges without a change)
    const rollback = { originalStepId: 'contain-s3-object', preState: contained.preState ?? {} };
    const dryRollback = succeeded(await fixture.runStep('rollback.s3-object', rollback, { dryRun: true }));
    const afterDryRollback = await policyOf(fixture, name);
    succeeded(await fixture.runStep('rollback.s3-object', rollback));
    succeeded(await fixture.runStep('rollback.s3-object', rollback));
    // Assess
    expect(dryRollback.result.wouldChange).toHaveLength(2);
    expect(afterDryRollback).toEqual(policy);
    expect(await policyOf(fixture, name)).toEqual(before.policy);
    expect(await tagsOf(fixture, name, object.key, object.versionId)).toEqual(before.tags);
    expect(await readObject(fixture, name, object.key)).toBe(200);
  });

  it('deletes the policy on rollback when ours was its only statement, and tags only when asked to', async () => {
    // Prepare
    const object = await createS3Object({ s3: fixture.clients.s3 });
    const params = { bucketName: object.bucketName, key: object.key, versionId: object.versionId };
    // Act
    const tagOnly = succeeded(await fixture.runStep('contain.s3-object', { ...params, denyReads: false }));
    const afterTag = {
      policy: await policyOf(fixture, object.bucketName),
      tags: await tagsOf(fixture, object.bucketName, object.key, object.versionId),
    };
    succeeded(
      await fixture.runStep('rollback.s3-object', {
        originalStepId: 'tag',
        preState: tagOnly.preState ?? {},
      }),
    );
    const afterTagRollback = await tagsOf(fixture, object.bucketName, object.key, object.versionId);
    const quarantine = succeeded(await fixture.runStep('contain.s3-object', params));
    const withDeny = await policyOf(fixture, object.bucketName);
    succeeded(
      await fixture.runStep('rollback.s3-object', {
        originalStepId: 'q',
        preState: quarantine.preState ?? {},
      }),
    );
    // Assess
    expect(afterTag).toEqual({ policy: null, tags: { 'ir:quarantined-by': 'inc-test-1' } });
    expect(afterTagRollback).toEqual({});
    expect(withDeny).toHaveLength(1);
    expect(await policyOf(fixture, object.bucketName)).toBeNull();
  });

  it('refuses an object quarantined under another incident, a missing version, and a key with a policy wildcard', async () => {
    // Prepare
    const object = await createS3Object({ s3: fixture.clients.s3 });
    const params = { bucketName: object.bucketName, key: object.key, versionId: object.versionId };
    // Tag only: with its deny, moto would refuse even the isolator's read of the tags (emulator gap above).
    succeeded(
      await fixture.runStep(
        'contain.s3-object',
        { ...params, denyReads: false },
        { incidentId: 'inc-other' },
      ),
    );
    const wild = await createS3Object({ s3: fixture.clients.s3, key: 'drop/*.exe' });
    // Act
    const other = failed(await fixture.runStep('contain.s3-object', params));
    const missing = failed(
      await fixture.runStep('contain.s3-object', { ...params, versionId: 'no-such-version' }),
    );
    const wildcard = failed(
      await fixture.runStep('contain.s3-object', { bucketName: wild.bucketName, key: wild.key }),
    );
    const badPreState = failed(
      await fixture.runStep('rollback.s3-object', { originalStepId: 'x', preState: { bucketName: 'b' } }),
    );
    // Assess
    expect(other.errorName).toBe('ContainmentRefusedError');
    expect(missing.errorName).toBe('ResourceNotFoundError');
    expect(wildcard.errorName).toBe('ContainmentRefusedError');
    expect(await policyOf(fixture, wild.bucketName)).toBeNull();
    expect(badPreState.errorName).toBe('InvalidPreStateError');
  });
});

describe('contain.s3-object-delete (on the emulator)', () => {
  let fixture: Fixture;
  beforeAll(async () => {
    fixture = await isolatorFixture();
  });
  afterAll(async () => {
    await fixture.stop();
  });

  it('refuses while the incident has no evidence copy of that version, or one without a legal hold; deletes only that version once it has', async () => {
    // Prepare
    const object = await createS3Object({ s3: fixture.clients.s3, laterBodies: ['clean invoice'] });
    const params = { bucketName: object.bucketName, key: object.key, versionId: object.versionId };
    // Act
    const noEvidence = failed(
      await fixture.runStep('contain.s3-object-delete', params, { incidentId: 'inc-del-1' }),
    );
    await storeEvidence(fixture, object, 'incidents/inc-del-2/copy-object', { hold: false });
    const noHold = failed(
      await fixture.runStep('contain.s3-object-delete', params, { incidentId: 'inc-del-2' }),
    );
    await storeEvidence(fixture, object, 'incidents/inc-del-3/copy-object');
    const dry = succeeded(
      await fixture.runStep('contain.s3-object-delete', params, { incidentId: 'inc-del-3', dryRun: true }),
    );
    const existsAfterDry = await versionExists(fixture, object.bucketName, object.key, object.versionId);
    const deleted = succeeded(
      await fixture.runStep('contain.s3-object-delete', params, { incidentId: 'inc-del-3' }),
    );
    const again = succeeded(
      await fixture.runStep('contain.s3-object-delete', params, { incidentId: 'inc-del-3' }),
    );
    // Assess
    expect(noEvidence.errorName).toBe('ContainmentRefusedError');
    expect(noHold.errorName).toBe('ContainmentRefusedError');
    expect(noHold.reason).toContain('no legal hold');
    expect(dry.result.wouldChange).toHaveLength(1);
    expect(existsAfterDry).toBe(true);
    expect(deleted.result).toMatchObject({ versionId: object.versionId });
    expect(again.result).toMatchObject({ alreadyDeleted: true });
    expect(await versionExists(fixture, object.bucketName, object.key, object.versionId)).toBe(false);
    const [later] = object.laterVersionIds;
    expect(later && (await versionExists(fixture, object.bucketName, object.key, later))).toBe(true);
  });
});
