import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { type BuiltApp, buildApp } from '../src/app.js';
import { parseDeployConfig } from '../src/config.js';

/** The repository root (the Docker build context, and where docs/iam lives). */
export const repoRoot = join(import.meta.dirname, '..', '..');

/** A fixed ECR image, so tests do not stage the build context (one test covers the asset path). */
export const TEST_IMAGE = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/ir:test';

/** Builds both stacks from context values, as `cdk synth -c key=value` would. */
export function buildTestApp(
  context: Record<string, unknown> = {},
  root: string = repoRoot,
): BuiltApp & {
  systemTemplate: Template;
  memberTemplate: Template;
} {
  const app = new App();
  const built = buildApp({
    app,
    repoRoot: root,
    config: parseDeployConfig({ imageUri: TEST_IMAGE, ...context }),
  });
  return {
    ...built,
    systemTemplate: Template.fromStack(built.system),
    memberTemplate: Template.fromStack(built.member),
  };
}
