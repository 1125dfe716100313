import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { parseDeployConfig } from '../src/config.js';
import { repoRoot } from './build.js';

describe('serviceImage', () => {
  it('builds docker/Dockerfile (target runtime) as an asset without running Docker at synth', () => {
    // Prepare
    const app = new App();
    const { system } = buildApp({ app, repoRoot, config: parseDeployConfig({}) });
    // Act
    const template = Template.fromStack(system);
    const assembly = app.synth();
    // Assess
    const manifest = JSON.parse(
      readFileSync(join(assembly.directory, `${system.artifactId}.assets.json`), 'utf8'),
    ) as { dockerImages: Record<string, { source: { dockerFile?: string; dockerBuildTarget?: string } }> };
    const images = Object.values(manifest.dockerImages);
    expect(images).toHaveLength(1);
    expect(images[0]?.source).toMatchObject({
      dockerFile: 'docker/Dockerfile',
      dockerBuildTarget: 'runtime',
    });
    expect(JSON.stringify(template.toJSON())).toContain('cdk-hnb659fds-container-assets');
  }, 60_000);

  it('runs a given ECR image by tag instead, without an asset', () => {
    // Prepare
    const app = new App();
    const { system } = buildApp({
      app,
      repoRoot,
      config: parseDeployConfig({ imageUri: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/ir:v1.2.3' }),
    });
    // Act
    const assembly = app.synth();
    // Assess
    const manifest = JSON.parse(
      readFileSync(join(assembly.directory, `${system.artifactId}.assets.json`), 'utf8'),
    ) as { dockerImages: Record<string, unknown> };
    expect(manifest.dockerImages).toEqual({});
    expect(JSON.stringify(Template.fromStack(system).toJSON())).toContain('/ir:v1.2.3');
  }, 60_000);
});
