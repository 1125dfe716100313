/**
 * Keeps the README's "run it" command true: `pnpm demo --once` (scripts/dev/main.ts) runs the whole
 * pipeline on the emulator, handles the demo findings and exits 0. It uses the emulator of the test
 * run (AWS_ENDPOINT_URL) and its own ports.
 */
import { spawn } from 'node:child_process';
import { REPO_ROOT } from '@ir/testkit';
import { describe, expect, inject, it } from 'vitest';

describe('the README quick start: pnpm demo --once', () => {
  it('runs the five services, handles every demo finding and exits 0', { timeout: 400_000 }, async () => {
    // Prepare: the dev script picks free ports itself (IR_DEV_PORTS=auto).
    const lines: string[] = [];
    // Act
    const child = spawn(
      process.execPath,
      ['--conditions=@ir/source', '--import', 'tsx', 'scripts/dev/main.ts', '--demo', '--once'],
      {
        cwd: REPO_ROOT,
        env: {
          ...process.env,
          AWS_ENDPOINT_URL: inject('awsEndpoint'),
          IR_DEV_PORTS: 'auto',
          LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n')));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    // Assess
    const output = lines.join('\n');
    expect(output).toContain('[demo] done: 4 incidents handled (1 step waiting for approval)');
    expect(output).toMatch(/playbook=ec2-compromise {2}severity=HIGH {2}status=completed/);
    expect(output).toMatch(/succeeded +contain\.ec2-instance/);
    // The port probe's NACL block waits for two approvers; the demo does not wait for them.
    expect(output).toMatch(/awaiting-approval +contain\.block-ip/);
    expect(output).toContain('dead-lettered finding: reason=schema');
    expect(code).toBe(0);
  });
});
