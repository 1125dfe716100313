import { randomBytes } from 'node:crypto';
import { EKSClient } from '@aws-sdk/client-eks';
import {
  addCallRecorder,
  type AwsClientFactory,
  createAwsCallLog,
  createLogger,
  type StepCommandType,
  type StepContext,
} from '@ir/runtime';
import { KUBE_PERMISSIONS } from '../../src/actions/eks/kube/api.js';
import type { ActionDeps } from '../../src/actions/action-deps.js';
import { loadConfig } from '../../src/config.js';
import type { RecordedRequest } from './replay-server.js';

/** The account and region of the recorded EKS answers. */
export const TARGET = { accountId: '123456789012', region: 'us-east-1' } as const;

/** Random static credentials for a run (never a real key): the EKS token is signed with them. */
export function testCredentials() {
  return {
    accessKeyId: `AKIA${randomBytes(8).toString('hex').toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString('base64'),
  };
}

let log: ReturnType<typeof createAwsCallLog> | undefined;

/** The call log of `IR_AWS_CALL_LOG` (`pnpm iam:prove`), when the run has one. */
function callLog() {
  const directory = process.env.IR_AWS_CALL_LOG;
  if (directory) log ??= createAwsCallLog(directory, 'isolator');
  return directory ? log : undefined;
}

/**
 * A step context as the step worker builds one, for calling a handler directly: clients go to
 * `endpoints` (the EKS client to the replay server, IAM to the emulator in the integration test),
 * with `credentials`; a silent logger; a signal nobody aborts.
 */
export function stepContext<T extends StepCommandType>(
  action: T,
  options: {
    incidentId?: string;
    dryRun?: boolean;
    credentials: { accessKeyId: string; secretAccessKey: string };
    endpoints: { eks: string; iam?: string };
    accountId?: string;
  },
): StepContext<T> {
  const target = { ...TARGET, ...(options.accountId ? { accountId: options.accountId } : {}) };
  return {
    incidentId: options.incidentId ?? 'inc-7f3a9c2e',
    correlationId: 'corr-1',
    stepId: 'step-1',
    action,
    dryRun: options.dryRun ?? false,
    target,
    // The handlers here do not read the envelope.
    command: {} as never,
    logger: createLogger({ service: 'test', level: 'silent' }),
    signal: new AbortController().signal,
    deadline: new Date(Date.now() + 60_000),
    attempt: 1,
    now: () => new Date(),
    async client(clientClass) {
      const endpoint =
        clientClass === (EKSClient as unknown) ? options.endpoints.eks : (options.endpoints.iam ?? undefined);
      const client = new clientClass({
        region: target.region,
        credentials: options.credentials,
        ...(endpoint ? { endpoint } : {}),
      } as never);
      // Recorded for the IAM proof as the isolator's calls, as the runtime's client factory does.
      const log = callLog();
      if (log) {
        addCallRecorder(client, log, 'isolator', {
          account: async () => target.accountId,
          region: target.region,
          principal: 'task',
        });
      }
      return client;
    },
  };
}

/** The isolator's action dependencies with `env` as its environment (no AWS factory: not used here). */
export function actionDeps(env: Record<string, string> = {}): ActionDeps {
  return { config: loadConfig(env), aws: {} as AwsClientFactory };
}

/** The RBAC verb a Kubernetes request needs, and on what (`group/resource`). */
export function permissionOf(request: RecordedRequest): { group: string; resource: string; verb: string } {
  const core = /^\/api\/v1\/(?:namespaces\/[^/]+\/)?([a-z]+)(?:\/([^/]+))?$/.exec(request.path);
  const grouped = /^\/apis\/([^/]+)\/v1\/(?:namespaces\/[^/]+\/)?([a-z]+)(?:\/([^/]+))?$/.exec(request.path);
  const group = core ? '' : (grouped?.[1] ?? '?');
  const resource = core?.[1] ?? grouped?.[2] ?? '?';
  // A GET of a collection (no object name) is a `list`.
  const named = (core ? core[2] : grouped?.[3]) !== undefined;
  const verb =
    request.method === 'GET' && !named
      ? 'list'
      : ({ GET: 'get', PATCH: 'patch', POST: 'create', DELETE: 'delete', PUT: 'update' }[request.method] ??
        '?');
  return { group, resource, verb };
}

/** Requests the isolator's ClusterRole (`KUBE_PERMISSIONS`) would not allow. */
export function notPermitted(requests: readonly RecordedRequest[]): string[] {
  return requests
    .map(permissionOf)
    .filter(({ group, resource, verb }) => {
      const resources = (KUBE_PERMISSIONS as Record<string, Record<string, readonly string[]>>)[group];
      return !resources?.[resource]?.includes(verb);
    })
    .map(({ group, resource, verb }) => `${verb} ${group}/${resource}`);
}
