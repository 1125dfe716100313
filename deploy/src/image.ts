import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type { Construct } from 'constructs';

const ECR_URI =
  /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([a-z0-9._/-]+)(?::([\w.-]+)|@(sha256:[a-f0-9]{64}))$/;

/** Files the image never needs; .dockerignore covers the rest (CDK reads it). */
const ASSET_EXCLUDES = ['deploy', '.ci', 'docs', 'test', '**/test', '**/bench', '**/*.md', '.env', '.env.*'];

/**
 * The one image all five services run. By default docker/Dockerfile (target `runtime`) as a CDK
 * asset: synthesis only stages the build context and hashes it (no Docker needed); `cdk deploy`
 * builds and pushes it. With `imageUri` (an ECR URI with a tag or digest, e.g. from CI), that image is
 * used instead and the execution roles get pull access to that repository only.
 */
export function serviceImage(scope: Construct, repoRoot: string, imageUri?: string): ecs.ContainerImage {
  if (imageUri === undefined) {
    return ecs.ContainerImage.fromAsset(repoRoot, {
      file: 'docker/Dockerfile',
      target: 'runtime',
      exclude: ASSET_EXCLUDES,
    });
  }
  const match = ECR_URI.exec(imageUri);
  if (!match) return ecs.ContainerImage.fromRegistry(imageUri);
  const [, account, region, repositoryName, tag, digest] = match;
  const repository = ecr.Repository.fromRepositoryAttributes(scope, 'ImageRepository', {
    repositoryName: repositoryName ?? '',
    repositoryArn: `arn:aws:ecr:${region}:${account}:repository/${repositoryName}`,
  });
  return ecs.ContainerImage.fromEcrRepository(repository, digest ?? tag);
}
