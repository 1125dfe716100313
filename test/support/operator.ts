import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type DemoOperatorName, type LocalIdentityProvider, REPO_ROOT } from '@ir/testkit';
import type { CoordinatorApi, IncidentView } from './coordinator-api.js';
import { waitForIncidentOf } from './incident-progress.js';

/** A person of the local identity provider (`DEMO_OPERATORS`): approver, secondApprover, responder, viewer… */
export type OperatorName = DemoOperatorName;

/** What one operator does to an incident, through irctl when it exists, else the coordinator's API. */
export interface Operator {
  /** Which path the decisions take, for test names and reports. */
  readonly via: 'api' | 'irctl';
  /** Who decides: the demo operator whose access token the decisions carry. */
  readonly name: OperatorName;
  approve(incidentId: string, stepId: string): Promise<void>;
  rollback(incidentId: string): Promise<void>;
}

const IRCTL_MAIN = join(REPO_ROOT, 'tools/irctl/src/main.ts');
/** Seconds before its `exp` a cached access token is replaced, so no call carries one about to expire. */
const REFRESH_MARGIN_SECONDS = 60;

/** Whether the operator CLI is in the tree (it arrived while these suites were written). */
export function irctlAvailable(): boolean {
  return existsSync(IRCTL_MAIN);
}

/**
 * Access tokens of the demo operators, each obtained through the provider's device-code flow (as
 * `irctl login` and a person at a browser do) and kept until shortly before it expires. Why cached:
 * a suite polls the API every second, and a device-code sign-in per call would be most of the run;
 * why refreshed: a reliability run outlives the provider's ten-minute tokens.
 */
export function operatorTokens(idp: LocalIdentityProvider): (name: OperatorName) => Promise<string> {
  const cached = new Map<OperatorName, Promise<{ token: string; expiresAt: number }>>();
  const signIn = async (name: OperatorName) => {
    const token = await idp.operatorToken(name);
    return { token, expiresAt: expiryOf(token) };
  };
  return async (name) => {
    const entry = cached.get(name);
    const current = await entry?.catch(() => undefined);
    if (current && current.expiresAt - REFRESH_MARGIN_SECONDS * 1000 > Date.now()) return current.token;
    // Callers that found the same stale (or no) entry share one sign-in.
    if (cached.get(name) === entry) cached.set(name, signIn(name));
    const fresh = cached.get(name) ?? signIn(name);
    return (await fresh).token;
  };
}

/** The `exp` of a JWT, in epoch milliseconds (the token is the provider's own: no need to verify it here). */
function expiryOf(jwt: string): number {
  const payload = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
    exp?: number;
  };
  if (typeof payload.exp !== 'number') throw new Error('the access token has no exp claim');
  return payload.exp * 1000;
}

/** Decisions through the coordinator's operator API, carrying `name`'s access token. */
export function apiOperator(api: CoordinatorApi, name: OperatorName): Operator {
  return {
    via: 'api',
    name,
    approve: (incidentId, stepId) => api.approve(incidentId, stepId, { reason: 'approved in e2e' }),
    rollback: (incidentId) => api.rollback(incidentId, { reason: 'false positive in e2e' }),
  };
}

/**
 * Decisions through the real `irctl` binary, spawned as an operator would run it with `name`'s access
 * token in IR_API_TOKEN. A non-zero exit is an error carrying irctl's output.
 */
export function irctlOperator(apiUrl: string, name: OperatorName, token: () => Promise<string>): Operator {
  const run = async (args: readonly string[]) => {
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      IR_API_URL: apiUrl,
      IR_API_TOKEN: await token(),
    };
    await new Promise<void>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        ['--conditions=@ir/source', '--import', 'tsx', IRCTL_MAIN, ...args],
        { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
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
  };
  // No --by: the coordinator records the token's identity.
  const decision = ['--json'];
  return {
    via: 'irctl',
    name,
    approve: (incidentId, stepId) =>
      run(['approve', incidentId, stepId, ...decision, '--reason', 'approved in e2e']),
    rollback: (incidentId) => run(['rollback', incidentId, ...decision, '--reason', 'false positive in e2e']),
  };
}

/**
 * The demo operator `name` acting on a running system: through irctl when it is in the tree, else
 * the coordinator's API.
 */
export function operatorFor(
  system: {
    apiAs(name: OperatorName): CoordinatorApi;
    operatorToken(name: OperatorName): Promise<string>;
    url(name: 'response-coordinator'): string;
  },
  name: OperatorName,
): Operator {
  return irctlAvailable()
    ? irctlOperator(system.url('response-coordinator'), name, () => system.operatorToken(name))
    : apiOperator(system.apiAs(name), name);
}

/**
 * Waits for the rollback batch a request created, held for a person other than the requester (the
 * two-person rule), and has `approver` approve one of its steps, which releases the whole batch.
 * Returns the incident as it was while held.
 */
export async function approveHeldRollback(
  api: CoordinatorApi,
  findingId: string,
  approver: Operator,
): Promise<IncidentView> {
  const held = await waitForIncidentOf(api, findingId, (view) =>
    view.steps.some((step) => step.origin === 'rollback' && step.status === 'awaiting-approval'),
  );
  const step = held.steps.find((s) => s.origin === 'rollback' && s.status === 'awaiting-approval');
  if (!step) throw new Error(`incident ${held.incident.incidentId} has no held rollback step`);
  await approver.approve(held.incident.incidentId, step.stepId);
  return held;
}
