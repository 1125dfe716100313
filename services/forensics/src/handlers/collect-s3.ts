import {
  GetBucketAclCommand,
  GetBucketEncryptionCommand,
  GetBucketLoggingCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { type StepHandler, succeeded } from '@ir/runtime';
import { readSection, type SectionGap, unlessAbsent, withoutMetadata } from './sections.js';
import type { ActionDeps } from './types.js';

/**
 * evidence.collect-s3: a bucket's policy, public-access block, ACL, versioning, logging and default
 * encryption, in `s3-bucket.json`. "Never configured" answers (no policy, no block) are recorded as
 * null, which is itself evidence; a missing bucket fails the step.
 */
export function collectS3(deps: ActionDeps): StepHandler<'evidence.collect-s3'> {
  return async ({ bucketName }, context) => {
    const { stepId, target, incidentId } = context;
    const s3 = await context.client(S3Client);
    const gaps: SectionGap[] = [];
    const Bucket = bucketName;

    // Versioning first: a missing bucket fails here, before any gap is recorded.
    const versioning = withoutMetadata(await s3.send(new GetBucketVersioningCommand({ Bucket })));
    const policy = await readSection('policy', gaps, async () => {
      const output = await unlessAbsent(
        () => s3.send(new GetBucketPolicyCommand({ Bucket })),
        ['NoSuchBucketPolicy'],
        null,
      );
      if (!output?.Policy) return null;
      return JSON.parse(output.Policy) as unknown;
    });
    const publicAccessBlock = await readSection('publicAccessBlock', gaps, async () => {
      const output = await unlessAbsent(
        () => s3.send(new GetPublicAccessBlockCommand({ Bucket })),
        ['NoSuchPublicAccessBlockConfiguration'],
        null,
      );
      return output?.PublicAccessBlockConfiguration ?? null;
    });
    const acl = await readSection('acl', gaps, async () =>
      withoutMetadata(await s3.send(new GetBucketAclCommand({ Bucket }))),
    );
    const logging = await readSection('logging', gaps, async () =>
      withoutMetadata(await s3.send(new GetBucketLoggingCommand({ Bucket }))),
    );
    const encryption = await readSection('encryption', gaps, async () => {
      const output = await unlessAbsent(
        () => s3.send(new GetBucketEncryptionCommand({ Bucket })),
        ['ServerSideEncryptionConfigurationNotFoundError'],
        null,
      );
      return output?.ServerSideEncryptionConfiguration ?? null;
    });
    const name = 's3-bucket.json';
    if (context.dryRun) {
      return succeeded({
        dryRun: true,
        bucketName,
        gaps,
        wouldWrite: [deps.store.keyOf({ incidentId, stepId, name })],
      });
    }
    const artifact = await deps.store.put({
      incidentId,
      stepId,
      action: context.action,
      name,
      contentType: 'application/json',
      sourceAccount: target.accountId,
      body: JSON.stringify(
        {
          collectedAt: deps.now().toISOString(),
          target,
          bucketName,
          policy,
          publicAccessBlock,
          acl,
          versioning,
          logging,
          encryption,
          gaps,
        },
        null,
        2,
      ),
    });
    return succeeded({
      bucketName,
      hasPolicy: policy !== null,
      publicAccessBlock,
      versioning: versioning.Status ?? 'Disabled',
      gaps,
      artifact,
    });
  };
}
