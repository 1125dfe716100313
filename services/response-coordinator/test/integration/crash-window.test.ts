/**
 * The coordinator's crash windows, made deterministic: a writer that commits a transition (steps
 * dispatched, commands in the outbox) and dies before publishing; a result handled again after its
 * commit because the SQS delete never happened; a result for a command that went out twice.
 */
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { buildMessage, incidentTableKeys as keys, type MessageOf, type WorkerQueue } from '@ir/contracts';
import { loadPlaybooks, planIncident } from '@ir/playbooks';
import {
  baseClientConfig,
  createLogger,
  createPublisher,
  type Publisher,
  resolveQueueUrls,
} from '@ir/runtime';
import { eventually, findingTypes, queueDepth } from '@ir/testkit';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { type ApplyDeps, applyToIncident } from '../../src/handlers/apply.js';
import { createCoordinatorMetrics } from '../../src/metrics.js';
import { createIncidentRepository } from '../../src/repository/incident-repository.js';
import { openIncident } from '../../src/state/open.js';
import type { Planner } from '../../src/state/plan-steps.js';
import { createSweeper } from '../../src/sweeper.js';
import { coordinatorFixture, type Fixture, finding, result } from './harness.js';

const WORKER_QUEUES: readonly WorkerQueue[] = ['isolator', 'forensics', 'notifier'];
const logger = createLogger({ service: 'response-coordinator', level: 'silent' });

/** A publisher whose process is killed the moment it would send: nothing reaches SQS. */
const killedBeforePublishing: Publisher<WorkerQueue> = {
  async publish() {
    throw new Error('SIGKILL between commit and publish');
  },
};

/** What the coordinator's app builds, over the fixture's account, with the publisher given. */
async function applyDeps(fixture: Fixture, publisher?: Publisher<WorkerQueue>): Promise<ApplyDeps> {
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
  };
}

async function shippedPlanner(): Promise<Planner> {
  const playbooks = await loadPlaybooks();
  return (subject, band) => planIncident(subject, playbooks, { severityBand: band });
}

function openedMessage(incidentId: string): MessageOf<'incident.opened'> {
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

/** Commits the opening of an incident and dies before publishing its commands. */
async function openAndDie(fixture: Fixture, message: MessageOf<'incident.opened'>): Promise<void> {
  const deps = await applyDeps(fixture, killedBeforePublishing);
  const planner = await shippedPlanner();
  await expect(
    applyToIncident(
      deps,
      {
        incidentId: message.incidentId,
        causationId: message.id,
        eventKey: () => message.id,
        decide: (aggregate, context) => (aggregate ? undefined : openIncident(message, planner, context)),
      },
      logger,
    ),
  ).rejects.toThrow('SIGKILL');
}

/** Every command on the worker queues (duplicates included), read until the queues stay empty. */
async function drainCommands(fixture: Fixture, quietMs = 2_000): Promise<string[]> {
  const ids: string[] = [];
  let quietSince = Date.now();
  while (Date.now() - quietSince < quietMs) {
    for (const queue of WORKER_QUEUES) {
      const output = await fixture.clients.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: fixture.system.queues[queue].url,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 0,
          VisibilityTimeout: 300,
        }),
      );
      for (const message of output.Messages ?? []) {
        ids.push((JSON.parse(message.Body ?? '{}') as { id: string }).id);
        quietSince = Date.now();
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return ids.sort();
}

/** The command ids of the steps the incident records as dispatched. */
async function dispatchedCommandIds(fixture: Fixture, incidentId: string): Promise<string[]> {
  const aggregate = await fixture.incident(incidentId);
  return (aggregate?.steps ?? [])
    .filter((step) => step.status === 'dispatched')
    .map((step) => step.commandId ?? '?')
    .sort();
}

/**
 * Rewrites the incident's status as if the stranded transition itself had completed it: such an
 * incident is no longer among those swept for time-outs, which is how its commands could be stranded.
 */
async function markCompleted(fixture: Fixture, incidentId: string): Promise<void> {
  const key = { pk: { S: keys.incidentPk(incidentId) }, sk: { S: keys.incidentSk } };
  const { Item } = await fixture.clients.dynamodb.send(
    new GetItemCommand({ TableName: fixture.system.tableName, Key: key, ConsistentRead: true }),
  );
  if (!Item?.data?.S) throw new Error(`incident ${incidentId} not found`);
  const data = { ...(JSON.parse(Item.data.S) as Record<string, unknown>), status: 'completed' };
  await fixture.clients.dynamodb.send(
    new PutItemCommand({
      TableName: fixture.system.tableName,
      Item: {
        ...Item,
        data: { S: JSON.stringify(data) },
        status: { S: 'completed' },
        gsi1pk: { S: keys.statusGsiPk('completed') },
      },
    }),
  );
}

describe('response coordinator crash windows (on the emulator)', () => {
  const fixtures: Fixture[] = [];
  afterEach(async () => {
    await Promise.all(fixtures.splice(0).map((fixture) => fixture.stop()));
  });

  it('a sweep publishes, once, the commands a writer committed and died before sending', async () => {
    // Prepare: the commit happened, the publish did not
    const fixture = await coordinatorFixture();
    fixtures.push(fixture);
    const message = openedMessage('inc-crash-sweep');
    await openAndDie(fixture, message);
    const dispatched = await dispatchedCommandIds(fixture, message.incidentId);
    const stranded = (await fixture.repository.load(message.incidentId)).outbox.map(
      (entry) => entry.messageId,
    );
    const before = await drainCommands(fixture, 500);

    // Act: a fresh coordinator's sweeper (as after a restart), twice
    const deps = await applyDeps(fixture);
    const sweeper = createSweeper(deps, logger, 60_000, { outboxGraceMs: 0 });
    await sweeper.sweep();
    await sweeper.sweep();

    // Assess
    expect(dispatched.length).toBeGreaterThan(0);
    expect(stranded.sort()).toEqual(dispatched);
    expect(before).toEqual([]);
    expect(await drainCommands(fixture)).toEqual(dispatched);
    expect((await fixture.repository.load(message.incidentId)).outbox).toEqual([]);
    const republished = await deps.metrics.outboxRepublished.get();
    expect(republished.values.find((value) => value.labels.by === 'sweeper')?.value).toBe(dispatched.length);
  });

  it('a sweep publishes stranded commands of an incident no longer active (completed by that transition)', async () => {
    // Prepare
    const fixture = await coordinatorFixture();
    fixtures.push(fixture);
    const message = openedMessage('inc-crash-completed');
    await openAndDie(fixture, message);
    const stranded = (await fixture.repository.load(message.incidentId)).outbox
      .map((entry) => entry.messageId)
      .sort();
    await markCompleted(fixture, message.incidentId);

    // Act
    const sweeper = createSweeper(await applyDeps(fixture), logger, 60_000, { outboxGraceMs: 0 });
    await sweeper.sweep();

    // Assess
    expect((await fixture.incident(message.incidentId))?.incident.status).toBe('completed');
    expect(stranded.length).toBeGreaterThan(0);
    expect(await drainCommands(fixture)).toEqual(stranded);
    expect((await fixture.repository.load(message.incidentId)).outbox).toEqual([]);
  });

  it('the redelivered message of a crashed writer publishes its commands and decides nothing new', async () => {
    // Prepare
    const fixture = await coordinatorFixture();
    fixtures.push(fixture);
    const message = openedMessage('inc-crash-redelivery');
    await openAndDie(fixture, message);
    const dispatched = await dispatchedCommandIds(fixture, message.incidentId);
    const versionAfterCrash = (await fixture.incident(message.incidentId))?.version;

    // Act: a restarted coordinator (no sweeper) receives the message again, SQS never saw it deleted
    await fixture.start();
    await fixture.send(message);
    await eventually(
      async () => (await queueDepth(fixture.clients.sqs, fixture.system.queues.coordinator.url)) === 0,
      30_000,
      'the redelivered message was handled',
    );

    // Assess
    expect(await drainCommands(fixture)).toEqual(dispatched);
    expect((await fixture.incident(message.incidentId))?.version).toBe(versionAfterCrash);
    expect((await fixture.repository.load(message.incidentId)).outbox).toEqual([]);
    expect(await queueDepth(fixture.clients.sqs, fixture.system.queues.coordinator.dlqUrl)).toBe(0);
  });

  it('a result handled again after its commit, or answering a command sent twice, changes nothing', async () => {
    // Prepare: one step answered and recorded
    const fixture = await coordinatorFixture();
    fixtures.push(fixture);
    await fixture.start();
    const message = openedMessage('inc-crash-result');
    await fixture.send(message);
    const [command] = await fixture.commands(1, ['notifier']);
    if (!command) throw new Error('no notify command');
    const first = result(command);
    await fixture.send(first);
    await fixture.waitFor(
      message.incidentId,
      (_, steps) => steps[command.payload.stepId] === 'succeeded',
      'the first result recorded',
    );
    const recorded = await fixture.repository.load(message.incidentId);
    const commandsBefore = await drainCommands(fixture);

    // Act: the same result again (its delete was lost), then a second answer to a duplicate command
    await fixture.send(first);
    await fixture.send(result(command));
    await eventually(
      async () => (await queueDepth(fixture.clients.sqs, fixture.system.queues.coordinator.url)) === 0,
      30_000,
      'both duplicates were handled',
    );

    // Assess
    const after = await fixture.repository.load(message.incidentId);
    expect(after.aggregate?.version).toBe(recorded.aggregate?.version);
    expect(after.timeline).toHaveLength(recorded.timeline.length);
    expect(await drainCommands(fixture)).toEqual([]);
    expect(new Set(commandsBefore).size).toBe(commandsBefore.length);
    expect(await queueDepth(fixture.clients.sqs, fixture.system.queues.coordinator.dlqUrl)).toBe(0);
  });
});
