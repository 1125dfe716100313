/**
 * Builds what `applyToIncident` needs over a fixture's account, as the coordinator's app does, so a
 * test can run decisions of its own (crash windows, replicas with their own caches).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { buildMessage, type MessageOf, type WorkerQueue } from '@ir/contracts';
import { loadPlaybooks, planIncident } from '@ir/playbooks';
import {
  baseClientConfig,
  createLogger,
  createPublisher,
  type Logger,
  type Publisher,
  resolveQueueUrls,
} from '@ir/runtime';
import { findingTypes } from '@ir/testkit';
import { Registry } from 'prom-client';
import type { ApplyDeps } from '../../src/handlers/apply.js';
import { createCoordinatorMetrics } from '../../src/metrics.js';
import { createIncidentRepository } from '../../src/repository/incident-repository.js';
import type { Planner } from '../../src/state/plan-steps.js';
import { type Fixture, finding } from './harness.js';

export const WORKER_QUEUES: readonly WorkerQueue[] = ['isolator', 'forensics', 'notifier'];
export const logger: Logger = createLogger({ service: 'response-coordinator', level: 'silent' });

/** A publisher whose process is killed the moment it would send: nothing reaches SQS. */
export const killedBeforePublishing: Publisher<WorkerQueue> = {
  async publish() {
    throw new Error('SIGKILL between commit and publish');
  },
};

/** What the coordinator's app builds, over the fixture's account, with the publisher given. */
export async function applyDeps(
  fixture: Fixture,
  publisher?: Publisher<WorkerQueue>,
  extra: Partial<ApplyDeps> = {},
): Promise<ApplyDeps> {
  const endpoint = fixture.config.AWS_ENDPOINT_URL ?? '';
  const region = fixture.config.AWS_REGION;
  const dynamodb = new DynamoDBClient(
    baseClientConfig({ endpoint, region, credentials: fixture.account.credentials }),
  );
  const urls = await resolveQueueUrls(fixture.clients.sqs, 'ir', [...WORKER_QUEUES, 'coordinator']);
  return {
    repository: createIncidentRepository(dynamodb, fixture.system.tableName),
    publisher: publisher ?? createPublisher(fixture.clients.sqs, urls),
    metrics: createCoordinatorMetrics(new Registry()),
    clock: () => new Date(),
    settings: {
      producer: 'response-coordinator',
      protectedTag: fixture.config.protectedTag,
      approvalTimeoutSeconds: fixture.config.IR_APPROVAL_TIMEOUT_SECONDS,
      notifyTimeoutSeconds: fixture.config.IR_NOTIFY_TIMEOUT_SECONDS,
    },
    blast: { max: 100, windowSeconds: 3600 },
    ...extra,
  };
}

export async function shippedPlanner(): Promise<Planner> {
  const playbooks = await loadPlaybooks();
  return (subject, band) => planIncident(subject, playbooks, { severityBand: band });
}

export function openedMessage(incidentId: string): MessageOf<'incident.opened'> {
  const subject = finding({
    type: findingTypes.bitcoinDns,
    severity: 8,
    findingId: `f-${incidentId}`,
    resource: { kind: 'instance', instanceId: 'i-0c0ffeec0ffeec0ff' },
  });
  return buildMessage('incident.opened', {
    incidentId,
    correlationId: `corr-${incidentId}`,
    causationId: null,
    producer: 'detection',
    dryRun: false,
    payload: {
      finding: subject,
      severityBand: subject.severity.band,
      receivedAt: new Date(Date.now() - 1000).toISOString(),
      flags: {},
    },
  });
}
