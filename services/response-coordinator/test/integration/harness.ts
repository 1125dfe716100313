import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import {
  buildMessage,
  type Finding,
  type IncidentStatus,
  type Message,
  type MessageOf,
  parseFindings,
  type StepAction,
  type WorkerQueue,
} from '@ir/contracts';
import { baseClientConfig, createLogger } from '@ir/runtime';
import {
  bootstrap,
  callLogEnv,
  DEFAULT_EMULATOR_ACCOUNT_ID,
  emulatorClients,
  eventually,
  type FindingOptions,
  isolatedAccount,
  nativeFinding,
} from '@ir/testkit';
import { Registry } from 'prom-client';
import { inject } from 'vitest';
import { type CoordinatorDeps, type CoordinatorService, createService } from '../../src/service.js';
import { loadConfig } from '../../src/config.js';
import { createIncidentRepository } from '../../src/repository/incident-repository.js';

/**
 * The operator API token of the tests that run in the local-development static-token mode (not a
 * secret: it only opens the test's own server). Tests of OIDC pass `IR_OIDC_ISSUER` instead.
 */
export const TEST_TOKEN = 'test-token-0123456789abcdef';

/** The `by` label of a decision made with the static token. */
export const STATIC_TOKEN_ACTOR = 'local development token (not a person)';

/** A command as a worker receives it (the fields the worker doubles read). */
export interface Command {
  readonly id: string;
  readonly type: StepAction;
  readonly incidentId: string;
  readonly correlationId: string;
  readonly dryRun: boolean;
  readonly sentAt: string;
  readonly payload: {
    readonly stepId: string;
    readonly action: StepAction;
    readonly params: Record<string, unknown>;
  };
  readonly queue: WorkerQueue;
}

/** A normalised finding from the testkit's native factory. */
export function finding(options: FindingOptions = {}): Finding {
  const [parsed] = parseFindings(nativeFinding(options));
  if (!parsed) throw new Error('the factory produced no finding');
  return parsed;
}

/**
 * One emulated account with the system bootstrapped, and helpers to run coordinators in it and to
 * play the workers (read the command queues, answer with step results).
 */
export async function coordinatorFixture(env: Record<string, string> = {}) {
  const endpoint = inject('awsEndpoint');
  const region = process.env.AWS_REGION ?? 'us-east-1';
  const account = await isolatedAccount({ endpoint, region });
  const clients = emulatorClients({ endpoint, region, credentials: account.credentials });
  const system = await bootstrap({ prefix: 'ir', clients });
  const auth: Record<string, string> = env.IR_OIDC_ISSUER
    ? {}
    : { IR_ENV: 'test', IR_AUTH_MODE: 'static-token', IR_API_TOKEN: TEST_TOKEN };
  const config = loadConfig({
    AWS_REGION: region,
    AWS_ENDPOINT_URL: endpoint,
    IR_HOME_ACCOUNT_ID: account.accountId,
    // The findings of these tests come from the factories' default account, a member account here.
    IR_ALLOWED_ACCOUNTS: DEFAULT_EMULATOR_ACCOUNT_ID,
    ...auth,
    // One decision signing key for every replica the fixture starts (and required with IR_ENV=production,
    // the default of the OIDC tests): a decision the API of one replica signed is applied by any other.
    IR_DECISION_SIGNING_KEY: randomBytes(32).toString('base64'),
    IR_HTTP_HOST: '127.0.0.1',
    IR_HTTP_PORT: '0',
    IR_WAIT_TIME_SECONDS: '1',
    IR_VISIBILITY_TIMEOUT_SECONDS: '10',
    IR_HEARTBEAT_SECONDS: '3',
    IR_RETRY_BASE_SECONDS: '1',
    IR_RETRY_MAX_SECONDS: '2',
    LOG_LEVEL: 'silent',
    ...callLogEnv(),
    ...env,
  });
  const services: CoordinatorService[] = [];
  const repository = createIncidentRepository(
    new DynamoDBClient(baseClientConfig({ endpoint, region, credentials: account.credentials })),
    system.tableName,
  );
  const seen: Command[] = [];

  const fixture = {
    account,
    clients,
    system,
    config,
    /** Reads incident state back from the emulator's table. */
    repository,
    /** Every command read so far, in the order the test received them. */
    seen,
    async start(deps: CoordinatorDeps = {}) {
      const service = await createService(config, {
        credentials: account.credentials,
        registry: new Registry(),
        logger: createLogger({
          service: 'response-coordinator',
          level: process.env.RC_TEST_LOG === '1' ? 'debug' : 'silent',
        }),
        sweep: false,
        ...deps,
      });
      services.push(service);
      const { port } = await service.start();
      return { service, base: `http://127.0.0.1:${port}` };
    },
    async stop() {
      await Promise.all(services.splice(0).map((service) => service.stop()));
      clients.destroy();
    },
    async send(message: Message) {
      await clients.sqs.send(
        new SendMessageCommand({
          QueueUrl: system.queues.coordinator.url,
          MessageBody: JSON.stringify(message),
        }),
      );
    },
    /** Opens an incident as detection would. */
    async open(
      incidentId: string,
      subject: Finding,
      options: { dryRun?: boolean; suppressionUnevaluated?: boolean } = {},
    ) {
      const message = buildMessage('incident.opened', {
        incidentId,
        correlationId: `corr-${incidentId}`,
        causationId: null,
        producer: 'detection',
        dryRun: options.dryRun ?? false,
        payload: {
          finding: subject,
          severityBand: subject.severity.band,
          receivedAt: new Date(Date.now() - 1000).toISOString(),
          flags: options.suppressionUnevaluated ? { suppressionUnevaluated: true } : {},
        },
      });
      await fixture.send(message);
      return message;
    },
    /** Receives at least `count` commands from the worker queues (deduplicated by message id). */
    async commands(count: number, queues: readonly WorkerQueue[] = ['isolator', 'forensics', 'notifier']) {
      const received: Command[] = [];
      await eventually(
        async () => {
          for (const queue of queues) {
            // A short poll (unlike testkit's receiveMessages, which waits for a count): the worker
            // doubles answer what is there and poll again.
            const output = await clients.sqs.send(
              new ReceiveMessageCommand({
                QueueUrl: system.queues[queue].url,
                MaxNumberOfMessages: 10,
                WaitTimeSeconds: 0,
                VisibilityTimeout: 300,
              }),
            );
            for (const message of output.Messages ?? []) {
              const command = { ...(JSON.parse(message.Body ?? '{}') as Command), queue };
              if (seen.some((other) => other.id === command.id)) continue;
              seen.push(command);
              received.push(command);
            }
          }
          return received.length >= count;
        },
        30_000,
        `${count} command(s)`,
      );
      return received;
    },
    /** Answers a command as its worker would. */
    async succeed(command: Command, preState?: Record<string, unknown>) {
      // Distinct completion times, so "newest first" is decided by the order the test answered in.
      await new Promise((resolve) => setTimeout(resolve, 3));
      await fixture.send(result(command, { preState }));
    },
    async fail(command: Command, reason: string) {
      await fixture.send(
        buildMessage('step.failed', {
          ...replyEnvelope(command),
          payload: {
            stepId: command.payload.stepId,
            action: command.payload.action,
            reason,
            errorName: 'AccessDenied',
            retryable: false,
            failedAt: new Date().toISOString(),
          },
        }),
      );
    },
    async incident(incidentId: string) {
      return (await repository.load(incidentId)).aggregate;
    },
    async waitFor(
      incidentId: string,
      check: (status: IncidentStatus, steps: Record<string, string>) => boolean,
      what: string,
    ) {
      await eventually(
        async () => {
          const aggregate = await fixture.incident(incidentId);
          if (!aggregate) return false;
          const steps = Object.fromEntries(aggregate.steps.map((step) => [step.stepId, step.status]));
          return check(aggregate.incident.status, steps);
        },
        30_000,
        what,
      );
    },
  };
  return fixture;
}

function replyEnvelope(command: Command) {
  return {
    incidentId: command.incidentId,
    correlationId: command.correlationId,
    causationId: command.id,
    producer: `${command.queue}-test-double`,
    dryRun: command.dryRun,
  };
}

/** A `step.succeeded` answering `command`. */
export function result(
  command: Command,
  options: { preState?: Record<string, unknown> | undefined } = {},
): MessageOf<'step.succeeded'> {
  return buildMessage('step.succeeded', {
    ...replyEnvelope(command),
    payload: {
      stepId: command.payload.stepId,
      action: command.payload.action,
      result: { done: true },
      ...(options.preState ? { preState: options.preState } : {}),
      completedAt: new Date().toISOString(),
    },
  });
}

/** The fixture's type. */
export type Fixture = Awaited<ReturnType<typeof coordinatorFixture>>;
