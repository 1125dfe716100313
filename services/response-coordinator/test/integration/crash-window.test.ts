/**
 * The coordinator's crash windows, made deterministic: a writer that commits a transition (steps
 * dispatched, commands in the outbox) and dies before publishing; a result handled again after its
 * commit because the SQS delete never happened; a result for a command that went out twice.
 */
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { incidentTableKeys as keys, type MessageOf } from '@ir/contracts';
import { eventually, queueDepth } from '@ir/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { applyToIncident } from '../../src/handlers/apply.js';
import { openIncident } from '../../src/state/open.js';
import { createSweeper } from '../../src/sweeper.js';
import {
  applyDeps,
  killedBeforePublishing,
  logger,
  openedMessage,
  shippedPlanner,
  WORKER_QUEUES,
} from './apply-harness.js';
import { coordinatorFixture, type Fixture, result } from './harness.js';

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
