import {
  CloudTrailClient,
  CreateTrailCommand,
  GetTrailStatusCommand,
  ListTagsCommand,
  StartLoggingCommand,
  StopLoggingCommand,
} from '@aws-sdk/client-cloudtrail';
import type { S3Client } from '@aws-sdk/client-s3';
import { type AwsEndpointSettings, baseClientConfig } from '@ir/runtime';
import { createBucket } from '@ir/testkit';

/*
 * CloudTrail trails for the remediation tests, here and in test/e2e (testkit has no CloudTrail
 * client or factory yet: a candidate for @ir/testkit, with security-group-fixtures.ts).
 */

/** A CloudTrail client on the emulator (testkit's `emulatorClients` has none). */
export function cloudTrailClient(settings: AwsEndpointSettings): CloudTrailClient {
  return new CloudTrailClient(baseClientConfig(settings));
}

/** A trail writing to a new bucket, logging or stopped as asked; returns its ARN. */
export async function createTrail(
  clients: { s3: S3Client; cloudtrail: CloudTrailClient },
  options: { name: string; logging: boolean },
): Promise<string> {
  const bucket = await createBucket({ s3: clients.s3, name: `${options.name}-logs-${Date.now()}` });
  const created = await clients.cloudtrail.send(
    new CreateTrailCommand({ Name: options.name, S3BucketName: bucket.bucketName }),
  );
  const arn = created.TrailARN;
  if (!arn) throw new Error('CreateTrail returned no ARN');
  await clients.cloudtrail.send(
    options.logging ? new StartLoggingCommand({ Name: arn }) : new StopLoggingCommand({ Name: arn }),
  );
  return arn;
}

/** Whether the trail logs, read from the emulator. */
export async function isLogging(cloudtrail: CloudTrailClient, trail: string): Promise<boolean> {
  return (await cloudtrail.send(new GetTrailStatusCommand({ Name: trail }))).IsLogging === true;
}

/** The trail's tags, read from the emulator. */
export async function trailTags(cloudtrail: CloudTrailClient, arn: string): Promise<Record<string, string>> {
  const output = await cloudtrail.send(new ListTagsCommand({ ResourceIdList: [arn] }));
  return Object.fromEntries((output.ResourceTagList?.[0]?.TagsList ?? []).map((t) => [t.Key, t.Value]));
}
