import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '@ir/testkit';
import type { CoordinatorApi } from './coordinator-api.js';

/** What an operator does to an incident, through irctl when it exists, else the coordinator's API. */
export interface Operator {
  /** Which path the decisions take, for test names and reports. */
  readonly via: 'api' | 'irctl';
  approve(incidentId: string, stepId: string): Promise<void>;
  rollback(incidentId: string): Promise<void>;
}

const OPERATOR = 'e2e-operator@example.com';
const IRCTL_MAIN = join(REPO_ROOT, 'tools/irctl/src/main.ts');

/** Whether the operator CLI is in the tree (it arrived while these suites were written). */
export function irctlAvailable(): boolean {
  return existsSync(IRCTL_MAIN);
}

/** Decisions through the coordinator's operator API. */
export function apiOperator(api: CoordinatorApi): Operator {
  return {
    via: 'api',
    approve: (incidentId, stepId) =>
      api.approve(incidentId, stepId, { by: OPERATOR, reason: 'approved in e2e' }),
    rollback: (incidentId) => api.rollback(incidentId, { by: OPERATOR, reason: 'false positive in e2e' }),
  };
}

/**
 * Decisions through the real `irctl` binary, spawned as an operator would run it (token from the
 * environment). A non-zero exit is an error carrying irctl's output.
 */
export function irctlOperator(apiUrl: string, token: string): Operator {
  const run = (args: readonly string[]) =>
    new Promise<void>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        ['--conditions=@ir/source', '--import', 'tsx', IRCTL_MAIN, ...args],
        {
          cwd: REPO_ROOT,
          env: { PATH: process.env.PATH, HOME: process.env.HOME, IR_API_URL: apiUrl, IR_API_TOKEN: token },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      child.stderr.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      child.once('error', reject);
      child.once('exit', (code) => {
        if (code === 0) resolve();
        else reject(new Error(`irctl ${args.join(' ')} exited ${code}: ${output.slice(-2000)}`));
      });
    });
  // No --by: the coordinator records the token's identity (here the local-dev static token).
  const decision = ['--json'];
  return {
    via: 'irctl',
    approve: (incidentId, stepId) =>
      run(['approve', incidentId, stepId, ...decision, '--reason', 'approved in e2e']),
    rollback: (incidentId) => run(['rollback', incidentId, ...decision, '--reason', 'false positive in e2e']),
  };
}

/** The operator path of a running system: irctl when it is in the tree, else the coordinator's API. */
export function operatorFor(system: {
  readonly api: CoordinatorApi;
  readonly apiToken: string;
  url(name: 'response-coordinator'): string;
}): Operator {
  return irctlAvailable()
    ? irctlOperator(system.url('response-coordinator'), system.apiToken)
    : apiOperator(system.api);
}
