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

/** One container definition of a task, as the tests read it. */
export type Container = {
  Environment: { Name: string; Value: unknown }[];
  Secrets?: { Name: string; ValueFrom: unknown }[];
};

/** The container of the system's task definition for `service` (family `ir-<service>`). */
export function containerOf(template: Template, service: string): Container {
  const definitions = Object.values(template.findResources('AWS::ECS::TaskDefinition')) as {
    Properties: Record<string, unknown>;
  }[];
  const definition = definitions.find((task) => task.Properties.Family === `ir-${service}`);
  const container = (definition?.Properties.ContainerDefinitions as Container[] | undefined)?.[0];
  if (!container) throw new Error(`no container for ${service}`);
  return container;
}
