import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, SERVICE_NODE_FLAGS, SERVICE_PROCESS_ENV } from '@ir/testkit';
import { describe, expect, it } from 'vitest';

/**
 * The system tests and the bench start the services with the testkit's SERVICE_NODE_FLAGS and
 * SERVICE_PROCESS_ENV; production runs the image's ENTRYPOINT and ENV. They must be the same, or the
 * bench measures memory that production does not have (issue 22).
 */
const dockerfile = readFileSync(join(REPO_ROOT, 'docker/Dockerfile'), 'utf8');

describe('node flags and memory settings of the services', () => {
  it('are the same flags in the image and in the processes the tests and the bench start', () => {
    const entrypoint = /^ENTRYPOINT (\[.*\])$/m.exec(dockerfile)?.[1];
    expect(entrypoint, 'docker/Dockerfile has an ENTRYPOINT in exec form').toBeDefined();
    const flags = (JSON.parse(entrypoint ?? '[]') as string[]).filter((arg) => arg.startsWith('--'));

    expect(flags.filter((flag) => flag !== '--enable-source-maps')).toEqual([...SERVICE_NODE_FLAGS]);
  });

  it('set the same environment in the image as in the processes the tests and the bench start', () => {
    const runtimeStage = dockerfile.slice(dockerfile.indexOf(' AS runtime'));
    for (const [name, value] of Object.entries(SERVICE_PROCESS_ENV)) {
      expect(runtimeStage, `${name} in the runtime stage's ENV`).toMatch(
        new RegExp(`^\\s*(ENV )?${name}=${value}( \\\\)?$`, 'm'),
      );
    }
  });
});
