/**
 * Issue 19, "DLQ view: redrive, for admins": the coordinator's `/dlq` routes against real dead letters
 * on the emulator, with tokens of the testkit's identity provider. What the routes did is read back
 * from the queues themselves.
 */
import { Writable } from 'node:stream';
import { DeleteMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { buildMessage, DeadLetterList, DeadLetterOverview, RedriveResult } from '@ir/contracts';
import { createLogger, readQueueDepth, sendToDeadLetterQueue } from '@ir/runtime';
import {
  type DemoOperatorName,
  eventually,
  type LocalIdentityProvider,
  receiveMessages,
  startIdentityProvider,
} from '@ir/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coordinatorFixture, type Fixture } from './harness.js';

const text = (value: string) => ({ DataType: 'String', StringValue: value });

describe('the DLQ routes of the operator API (real local IdP, coordinator on the emulator)', () => {
  let idp: LocalIdentityProvider;
  let fixture: Fixture;
  let base: string;
  const logLines: Record<string, unknown>[] = [];
  /** The ids, in the notifier DLQ, of the three messages the runtime dead-lettered there. */
  let notifierLetters: string[] = [];

  const call = async (as: DemoOperatorName, path: string, body?: unknown) =>
    fetch(`${base}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        authorization: `Bearer ${await idp.operatorToken(as)}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const list = async (queue: string, query = '') => {
    const response = await call('responder', `/dlq/${queue}/messages${query}`);
    expect(response.status).toBe(200);
    return DeadLetterList.parse(await response.json());
  };
  const depth = (url: string) => readQueueDepth(fixture.clients.sqs, url);
  /** One series of `ir_coordinator_dead_letters_redriven_total`, read from `/metrics` (every series exists from the start). */
  const counter = async (queue: string, outcome: string) => {
    const metrics = await (await fetch(`${base}/metrics`)).text();
    const line = metrics
      .split('\n')
      .find(
        (each) =>
          each.startsWith('ir_coordinator_dead_letters_redriven_total{') &&
          each.includes(`queue="${queue}"`) &&
          each.includes(`outcome="${outcome}"`),
      );
    if (line === undefined) throw new Error(`no series for queue ${queue}, outcome ${outcome}`);
    return Number(line.slice(line.lastIndexOf(' ') + 1));
  };

  beforeAll(async () => {
    idp = await startIdentityProvider();
    fixture = await coordinatorFixture({ IR_OIDC_ISSUER: idp.issuer, IR_OIDC_AUDIENCE: idp.audience });
    const destination = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) logLines.push(JSON.parse(line));
        done();
      },
    });
    base = (
      await fixture.start({
        logger: createLogger({ service: 'response-coordinator', level: 'info', destination }),
      })
    ).base;

    // Prepare: three notifications dead-lettered by the runtime's own path (copy with the reason, then
    // delete the original), as the notifier's worker does with a permanent failure. No notifier runs
    // here, so what a redrive puts back on its queue stays there to be read.
    const notifier = fixture.system.queues.notifier;
    for (const n of [1, 2, 3]) {
      await fixture.clients.sqs.send(
        new SendMessageCommand({
          QueueUrl: notifier.url,
          MessageBody: JSON.stringify({ notification: n }),
          MessageAttributes: { type: text('notify.incident'), incidentId: text(`inc-dlq-${n}`) },
        }),
      );
    }
    const originals = await receiveMessages(fixture.clients.sqs, notifier.url, 3);
    expect(originals).toHaveLength(3);
    for (const message of originals) {
      await sendToDeadLetterQueue(fixture.clients.sqs, {
        dlqUrl: notifier.dlqUrl,
        sourceQueue: 'notifier',
        message,
        why: { reason: 'slack-refused', errorName: 'SlackApiError', detail: 'channel_not_found' },
        now: new Date(),
      });
      await fixture.clients.sqs.send(
        new DeleteMessageCommand({ QueueUrl: notifier.url, ReceiptHandle: message.ReceiptHandle }),
      );
    }
    // And a forged decision: an unsigned approval on the coordinator queue, which the running
    // coordinator refuses and dead-letters with `decision-signature-missing`.
    await fixture.send(
      buildMessage('approval.granted', {
        incidentId: 'inc-dlq-forged',
        correlationId: 'corr-dlq-forged',
        causationId: null,
        producer: 'response-coordinator-api',
        dryRun: false,
        payload: {
          stepId: 'isolate-1',
          by: 'Mallory',
          actor: { issuer: 'https://idp.example.test', subject: 'mallory-sub' },
        },
      }),
    );
    await eventually(
      async () => (await depth(fixture.system.queues.coordinator.dlqUrl)).messages === 1,
      30_000,
      'the forged decision in the coordinator DLQ',
    );
    notifierLetters = (await list('notifier')).messages.map((message) => message.messageId);
    expect(notifierLetters).toHaveLength(3);
  });
  afterAll(async () => {
    await fixture?.stop();
    await idp?.stop();
  });

  it('shows a viewer the depth of every DLQ, in pipeline order', async () => {
    // Act
    const response = await call('viewer', '/dlq');
    // Assess
    expect(response.status).toBe(200);
    const { queues } = DeadLetterOverview.parse(await response.json());
    expect(queues.map((each) => [each.queue, each.dlq, each.messages + each.inFlight])).toEqual([
      ['findings', 'ir-findings-dlq', 0],
      ['coordinator', 'ir-coordinator-dlq', 1],
      ['isolator', 'ir-isolator-dlq', 0],
      ['forensics', 'ir-forensics-dlq', 0],
      ['notifier', 'ir-notifier-dlq', 3],
    ]);
  });

  it('lists the messages with their reasons for a responder, and leaves the DLQ as found', async () => {
    // Act
    const all = await list('notifier');
    const first = await list('notifier', '?limit=2');
    const coordinator = await list('coordinator');
    // Assess: the runtime's attributes, read back; every message visible again at once.
    expect(all).toMatchObject({ queue: 'notifier', dlq: 'ir-notifier-dlq', truncated: false });
    expect(all.messages.map((message) => message.incidentId).sort()).toEqual([
      'inc-dlq-1',
      'inc-dlq-2',
      'inc-dlq-3',
    ]);
    for (const message of all.messages) {
      expect(message).toMatchObject({
        reason: 'slack-refused',
        error: 'SlackApiError',
        detail: 'channel_not_found',
        sourceQueue: 'notifier',
        type: 'notify.incident',
        redrivable: true,
      });
      expect(JSON.parse(message.body)).toEqual({ notification: expect.any(Number) });
    }
    expect(first.messages).toHaveLength(2);
    expect(first.truncated).toBe(true);
    expect(coordinator.messages).toHaveLength(1);
    expect(coordinator.messages[0]).toMatchObject({
      reason: 'decision-signature-missing',
      error: 'ForgedDecisionError',
      redrivable: false,
    });
    expect(JSON.parse(coordinator.messages[0]?.body ?? '{}')).toMatchObject({
      type: 'approval.granted',
      incidentId: 'inc-dlq-forged',
    });
    expect(await depth(fixture.system.queues.notifier.dlqUrl)).toEqual({ messages: 3, inFlight: 0 });
    expect(await depth(fixture.system.queues.coordinator.dlqUrl)).toEqual({ messages: 1, inFlight: 0 });
  });

  it('refuses the messages to a viewer, and a redrive to a viewer and a responder, changing nothing', async () => {
    // Act
    const viewerList = await call('viewer', '/dlq/notifier/messages');
    const viewerRedrive = await call('viewer', '/dlq/notifier/redrive', {});
    const responderRedrive = await call('responder', '/dlq/notifier/redrive', {});
    const unknownQueue = await call('admin', '/dlq/payments/redrive', {});
    // Assess
    expect([viewerList.status, viewerRedrive.status, responderRedrive.status]).toEqual([403, 403, 403]);
    expect(unknownQueue.status).toBe(400);
    expect(await depth(fixture.system.queues.notifier.dlqUrl)).toEqual({ messages: 3, inFlight: 0 });
    expect(await depth(fixture.system.queues.notifier.url)).toEqual({ messages: 0, inFlight: 0 });
  });

  it('moves the messages an admin names back to their queue without ir-dlq-* attributes, and logs who', async () => {
    // Prepare
    const [one, two, left] = notifierLetters as [string, string, string];
    const before = await counter('notifier', 'moved');
    // Act
    const response = await call('admin', '/dlq/notifier/redrive', {
      messageIds: [one, two, 'not-in-the-dlq'],
      reason: 'the Slack channel is back',
    });
    // Assess: the answer, then the queues as the emulator holds them.
    expect(response.status).toBe(200);
    const result = RedriveResult.parse(await response.json());
    expect(result).toMatchObject({
      queue: 'notifier',
      from: 'ir-notifier-dlq',
      to: 'ir-notifier',
      problems: [],
      notFound: ['not-in-the-dlq'],
    });
    expect([...result.moved].sort()).toEqual([one, two].sort());
    const back = await receiveMessages(fixture.clients.sqs, fixture.system.queues.notifier.url, 2);
    expect(back).toHaveLength(2);
    for (const message of back) {
      expect(Object.keys(message.MessageAttributes ?? {}).sort()).toEqual(['incidentId', 'type']);
      expect(Object.keys(message.MessageAttributes ?? {}).some((name) => name.startsWith('ir-dlq-'))).toBe(
        false,
      );
    }
    expect(await depth(fixture.system.queues.notifier.url)).toEqual({ messages: 0, inFlight: 2 });
    expect(await depth(fixture.system.queues.notifier.dlqUrl)).toEqual({ messages: 1, inFlight: 0 });
    expect((await list('notifier')).messages.map((message) => message.messageId)).toEqual([left]);
    expect(await counter('notifier', 'moved')).toBe(before + 2);
    const logged = logLines.find((line) => line.msg === 'dead_letters_redriven' && line.queue === 'notifier');
    expect(logged).toMatchObject({
      operator: { issuer: idp.issuer, subject: 'op-ada' },
      from: 'ir-notifier-dlq',
      to: 'ir-notifier',
      problems: [],
      notFound: ['not-in-the-dlq'],
      reason: 'the Slack channel is back',
    });
    expect([...((logged?.moved as string[]) ?? [])].sort()).toEqual([one, two].sort());
  });

  it('refuses to redrive a forged decision, named or not: it stays in the DLQ as evidence', async () => {
    // Prepare
    const [forged] = (await list('coordinator')).messages;
    const forgedId = forged?.messageId ?? '';
    // Act
    const named = await call('admin', '/dlq/coordinator/redrive', { messageIds: [forgedId] });
    const all = await call('admin', '/dlq/coordinator/redrive', {});
    // Assess: the same SQS message is still there (a redriven one would come back under a new id).
    for (const response of [named, all]) {
      expect(response.status).toBe(200);
      const result = RedriveResult.parse(await response.json());
      expect(result.moved).toEqual([]);
      expect(result.problems).toEqual([
        { messageId: forgedId, stage: 'refused', message: expect.stringMatching(/evidence of a forgery/) },
      ]);
    }
    expect(await depth(fixture.system.queues.coordinator.dlqUrl)).toEqual({ messages: 1, inFlight: 0 });
    const after = await list('coordinator');
    expect(after.messages.map((message) => [message.messageId, message.reason])).toEqual([
      [forgedId, 'decision-signature-missing'],
    ]);
    expect(await counter('coordinator', 'refused')).toBe(2);
    expect(await counter('coordinator', 'moved')).toBe(0);
  });
});
