import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import type { Finding, SeverityBand } from '@ir/contracts';
import { loadPlaybooks, type Playbook, planIncident } from '@ir/playbooks';
import {
  createPublisher,
  createQueueService,
  createRuntime,
  envelopeParser,
  type QueueService,
  type RuntimeOverrides,
  resolveQueueUrls,
} from '@ir/runtime';
import { type Authenticator, staticTokenAuthenticator } from './api/auth.js';
import { oidcAuthenticator } from './api/oidc-authenticator.js';
import { type ApiDeps, apiRoutes } from './api/routes.js';
import type { CoordinatorConfig } from './config.js';
import { consoleRoutes } from './console/console-routes.js';
import { consoleSettings } from './console/console-settings.js';
import { responseTimesRoute } from './console/response-times.js';
import { signingPublisher } from './decision-signing.js';
import { createDeadLetterMetrics } from './dlq/dlq-metrics.js';
import { deadLetterRoutes } from './dlq/dlq-routes.js';
import { systemQueues } from './dlq/system-queues.js';
import { createDecisionCache } from './handlers/decision-cache.js';
import { type CoordinatorMessage, coordinatorMessageTypes, createHandlers } from './handlers/index.js';
import { createCoordinatorMetrics } from './metrics.js';
import { reportVerifier } from './report/evidence-verification.js';
import { createReportMetrics } from './report/report-metrics.js';
import { createIncidentRepository, type IncidentRepository } from './repository/incident-repository.js';
import type { Planner } from './state/plan-steps.js';
import { slackApprovals } from './slack/register.js';
import { suppressionRoutes } from './suppression/suppression-routes.js';
import { registerJiraWebhook } from './jira/register.js';
import { createSweeper, type Sweeper } from './sweeper.js';

/** The service name, in logs, metrics and the `producer` of every message. */
export const SERVICE_NAME = 'response-coordinator';

/** What tests (and main.ts) may inject. */
export interface CoordinatorDeps extends RuntimeOverrides {
  readonly clock?: () => Date;
  readonly newId?: () => string;
  /** The planner; by default `planIncident` over the loaded playbooks. */
  readonly planner?: Planner;
  /** Playbooks already loaded (main.ts loads them so a bad playbook stops the start). */
  readonly playbooks?: readonly Playbook[];
  /** Start the sweeper timer (default true); tests call `sweeper.sweep()` themselves. */
  readonly sweep?: boolean;
  /** The operator API's authenticator; by default the one `config.auth` describes. */
  readonly authenticator?: Authenticator;
}

/** The coordinator: queue worker, operator API, sweeper. */
export interface CoordinatorService extends QueueService {
  readonly repository: IncidentRepository;
  readonly sweeper: Sweeper;
}

/** Builds the response coordinator from its config. */
export async function createService(
  config: CoordinatorConfig,
  deps: CoordinatorDeps = {},
): Promise<CoordinatorService> {
  // Decided first: an IR_CONSOLE_DIR without a built console stops the start before anything opens.
  const webConsole = consoleSettings(config);
  const runtime = await createRuntime(SERVICE_NAME, config, deps);
  const clock = deps.clock ?? (() => new Date());
  let planner = deps.planner;
  if (!planner) {
    const playbooks =
      deps.playbooks ??
      (await loadPlaybooks(config.IR_PLAYBOOKS_DIR ? { userDir: config.IR_PLAYBOOKS_DIR } : {}));
    planner = (finding: Finding, severityBand: SeverityBand) =>
      planIncident(finding, playbooks, { severityBand });
  }
  const dynamodb = await runtime.aws.client(DynamoDBClient);
  // Read-only use of the evidence bucket, for the report route's verification.
  const s3 = config.IR_EVIDENCE_BUCKET ? await runtime.aws.client(S3Client) : undefined;
  // kms:Verify of manifest signatures (loadConfig requires the key with the bucket).
  const kms = config.IR_EVIDENCE_SIGNING_KEY ? await runtime.aws.client(KMSClient) : undefined;
  const repository = createIncidentRepository(dynamodb, config.tableName);
  const urls = await resolveQueueUrls(runtime.sqs, config.IR_PREFIX, [
    'isolator',
    'forensics',
    'notifier',
    'coordinator',
  ]);
  const publisher = createPublisher(runtime.sqs, urls);
  const metrics = createCoordinatorMetrics(runtime.metrics.registry);
  const applyDeps = {
    repository,
    publisher,
    metrics,
    clock,
    settings: {
      producer: SERVICE_NAME,
      protectedTag: config.protectedTag,
      approvalTimeoutSeconds: config.IR_APPROVAL_TIMEOUT_SECONDS,
      notifyTimeoutSeconds: config.IR_NOTIFY_TIMEOUT_SECONDS,
      autoApproveCleanRoom: config.IR_AUTO_APPROVE_CLEAN_ROOM,
      ...(config.IR_FINDING_SYNC === 'on'
        ? {
            findingSync: {
              archiveGuardDutyFalsePositives: config.IR_GUARDDUTY_ARCHIVE_FALSE_POSITIVES,
              consoleUrl: config.IR_CONSOLE_PUBLIC_URL,
            },
          }
        : {}),
    },
    blast: { max: config.IR_MAX_AUTO_CONTAINMENTS, windowSeconds: config.blastWindowSeconds },
    cache: createDecisionCache(config.IR_DECISION_CACHE_SIZE),
  };
  const keyring = config.decisionSigning;
  if (keyring.generated) {
    runtime.logger.warn(
      {
        keyId: keyring.keyId,
        detail:
          'IR_DECISION_SIGNING_KEY is unset: this process signs operator decisions with its own random key and refuses those another replica published; fine for a single replica in development, set a shared key otherwise',
      },
      'decision_signing_key_generated',
    );
  }
  const handlers = createHandlers({
    ...applyDeps,
    planner,
    accounts: runtime.accounts,
    decisions: keyring,
  });
  const sweeper = createSweeper(applyDeps, runtime.logger, config.IR_SWEEP_INTERVAL_SECONDS * 1000);
  const apiDeps: ApiDeps = {
    repository,
    // Decisions leave the API signed; the queue handler refuses any that are not (TRAPS 23).
    publisher: signingPublisher(publisher, keyring),
    authenticator:
      deps.authenticator ??
      (config.auth.mode === 'oidc'
        ? oidcAuthenticator(config.auth)
        : staticTokenAuthenticator(config.IR_API_TOKEN ?? '')),
    producer: `${SERVICE_NAME}-api`,
    clock,
    logger: runtime.logger,
    verifyReport: reportVerifier({
      s3,
      bucket: config.IR_EVIDENCE_BUCKET,
      signing:
        kms && config.IR_EVIDENCE_SIGNING_KEY ? { kms, keyId: config.IR_EVIDENCE_SIGNING_KEY } : undefined,
      clock,
    }),
    reportMetrics: createReportMetrics(runtime.metrics.registry),
    ...(deps.newId ? { newId: deps.newId } : {}),
  };
  const slack = slackApprovals(config, { registry: runtime.metrics.registry, logger: runtime.logger, clock });
  const service = await createQueueService<CoordinatorMessage>({
    name: SERVICE_NAME,
    config,
    runtime,
    queue: 'coordinator',
    // An opening decision (plan, account check, a dozen writes) must not hold back the results
    // received with it; decisions of one incident still run one at a time (handlers/one-at-a-time).
    receiveLoops: 'per-slot',
    parse: envelopeParser('coordinator', coordinatorMessageTypes),
    handle: handlers.handle,
    routes: async (app) => {
      await apiRoutes(apiDeps)(app);
      await slack.register(app, apiDeps);
      await registerJiraWebhook(app, config, apiDeps, {
        registry: runtime.metrics.registry,
        logger: runtime.logger,
      });
      await responseTimesRoute(apiDeps)(app);
      await deadLetterRoutes({
        sqs: runtime.sqs,
        queues: systemQueues(runtime.sqs, config.IR_PREFIX),
        authenticator: apiDeps.authenticator,
        logger: runtime.logger,
        metrics: createDeadLetterMetrics(runtime.metrics.registry),
      })(app);
      await suppressionRoutes({
        dynamodb,
        tableName: config.tableName,
        repository,
        authenticator: apiDeps.authenticator,
        logger: runtime.logger,
        clock,
      })(app);
      await consoleRoutes(webConsole, runtime.logger)(app);
    },
    onStop: async () => {
      await sweeper.stop();
      await slack.drain();
      dynamodb.destroy();
      s3?.destroy();
      kms?.destroy();
    },
  });
  const start = service.start.bind(service);
  return Object.assign(service, {
    repository,
    sweeper,
    async start() {
      const started = await start();
      if (deps.sweep !== false) sweeper.start();
      return started;
    },
  });
}
