import { randomUUID } from 'node:crypto';
import { GetQueueAttributesCommand, type Message, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { eventually, type OtlpReceiver, receiveMessages, startOtlpReceiver } from '@ir/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createAwsClientFactory,
  createPublisher,
  createWorker,
  DEFERRALS_ATTRIBUTE,
  DlqAttribute,
  type ParsedMessage,
  sendToDeadLetterQueue,
  startTracing,
  type Tracing,
  type Worker,
} from '../../src/index.js';
import { parseTestMessage, type TestMessage } from '../fixtures/test-parse.js';
import { queueFixture, testTuning as tuning } from './harness.js';

type Fixture = Awaited<ReturnType<typeof queueFixture>>;

/** The test format, plus the incident id the publisher puts in the body. */
function parseWithIncident(message: Message): ParsedMessage<TestMessage> {
  const incidentId = (JSON.parse(message.Body ?? '{}') as { incidentId?: string }).incidentId;
  return { ...parseTestMessage(message), incidentId };
}

/** One "service": its own tracing to the receiver and an SQS client whose calls are spans. */
async function tracedService(fixture: Fixture, name: string, receiver: OtlpReceiver) {
  const tracing = await startTracing({ serviceName: name, endpoint: receiver.url, exportDelayMs: 100 });
  const aws = createAwsClientFactory({
    region: fixture.region,
    endpoint: fixture.endpoint,
    credentials: fixture.account.credentials,
    serviceName: name,
    homeAccountId: fixture.account.accountId,
    tracer: tracing.tracer,
  });
  return { tracing, sqs: await aws.client(SQSClient) };
}

describe('traces across two workers (on the emulator)', () => {
  const workers: Worker[] = [];
  const tracings: Tracing[] = [];
  let receiver: OtlpReceiver | undefined;
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.stop(1000)));
    await Promise.all(tracings.splice(0).map((tracing) => tracing.shutdown()));
    await receiver?.stop();
  });

  it('exports one trace: the second handler is a child of the first, each AWS call a child of its handler', async () => {
    // Prepare: "first" consumes findings and publishes to the coordinator queue; "second" consumes it.
    const fixture = await queueFixture();
    receiver = await startOtlpReceiver();
    const first = await tracedService(fixture, 'first', receiver);
    const second = await tracedService(fixture, 'second', receiver);
    tracings.push(first.tracing, second.tracing);
    const queues = fixture.system.queues;
    const incidentId = `inc-${randomUUID()}`;
    const publisher = createPublisher(first.sqs, { coordinator: queues.coordinator.url });
    let handledBySecond = 0;
    const common = { ...tuning, logger: fixture.logger, metrics: fixture.metrics, parse: parseWithIncident };
    workers.push(
      createWorker<TestMessage>({
        ...common,
        name: 'findings',
        queueUrl: queues.findings.url,
        dlqUrl: queues.findings.dlqUrl,
        sqs: first.sqs,
        tracer: first.tracing.tracer,
        handle: async () => {
          const next = { id: randomUUID(), type: 'test.ok', incidentId, kind: 'ok', n: 2 };
          await publisher.publish('coordinator', [next]);
        },
      }),
      createWorker<TestMessage>({
        ...common,
        name: 'coordinator',
        queueUrl: queues.coordinator.url,
        dlqUrl: queues.coordinator.dlqUrl,
        sqs: second.sqs,
        tracer: second.tracing.tracer,
        handle: async () => {
          await second.sqs.send(
            new GetQueueAttributesCommand({ QueueUrl: queues.coordinator.url, AttributeNames: ['All'] }),
          );
          handledBySecond += 1;
        },
      }),
    );
    for (const worker of workers) worker.start();
    // Act: an untraced sender (as EventBridge is) starts the chain.
    await fixture.clients.sqs.send(
      new SendMessageCommand({ QueueUrl: queues.findings.url, MessageBody: '{"kind":"ok","n":1}' }),
    );
    await eventually(() => handledBySecond === 1);
    await Promise.all(workers.splice(0).map((worker) => worker.stop(1000)));
    await Promise.all(tracings.map((tracing) => tracing.shutdown()));
    // Assess: what the OTLP receiver was actually sent.
    const spans = receiver.spans;
    const handlerOf = (service: string) =>
      spans.find((span) => span.service === service && span.name === 'handle test.ok');
    const firstHandler = handlerOf('first');
    const secondHandler = handlerOf('second');
    expect(firstHandler?.parentSpanId).toBe('');
    expect(secondHandler?.traceId).toBe(firstHandler?.traceId);
    expect(secondHandler?.parentSpanId).toBe(firstHandler?.spanId);
    expect(secondHandler?.attributes).toMatchObject({
      'messaging.destination.name': 'coordinator',
      'ir.incident_id': incidentId,
      'ir.outcome': 'processed',
    });
    expect(secondHandler?.attributes['messaging.queue_wait_ms']).toBeGreaterThanOrEqual(0);
    const send = spans.find((span) => span.name === 'sqs.SendMessageBatch');
    expect(send).toMatchObject({ service: 'first', kind: 3, parentSpanId: firstHandler?.spanId });
    expect(send?.attributes).toMatchObject({
      'rpc.service': 'sqs',
      'rpc.method': 'SendMessageBatch',
      'aws.region': fixture.region,
      'http.response.status_code': 200,
    });
    const read = spans.find((span) => span.name === 'sqs.GetQueueAttributes');
    expect(read).toMatchObject({ service: 'second', traceId: firstHandler?.traceId });
    expect(read?.parentSpanId).toBe(secondHandler?.spanId);
    // Polls and deletes happen outside any handler: no span of their own.
    expect(spans.filter((span) => span.name === 'sqs.ReceiveMessage')).toEqual([]);
    expect(receiver.rejected).toBe(0);
  });

  it('keeps the trace context on a dead-letter copy, within SQS’s 10 attributes', async () => {
    // Prepare: a deferred message with all it can carry (3 of the publisher, 2 of trace context, 1 deferral).
    const fixture = await queueFixture();
    const text = (value: string) => ({ DataType: 'String', StringValue: value });
    const traceparent = `00-${randomUUID().replaceAll('-', '')}-${randomUUID().slice(0, 18).replaceAll('-', '')}-01`;
    const message = {
      MessageId: randomUUID(),
      Body: '{"kind":"permanent","n":1}',
      Attributes: { ApproximateReceiveCount: '1' },
      MessageAttributes: {
        [DEFERRALS_ATTRIBUTE]: { DataType: 'Number', StringValue: '2' },
        tracestate: text('vendor=abc'),
        traceparent: text(traceparent),
        correlationId: text('corr-1'),
        incidentId: text('inc-1'),
        type: text('test.permanent'),
      },
    };
    // Act
    await sendToDeadLetterQueue(fixture.sqs, {
      dlqUrl: fixture.system.queues.findings.dlqUrl,
      sourceQueue: 'findings',
      message,
      why: { reason: 'schema', errorName: 'ContractError', detail: 'kind: expected ok' },
      now: new Date(),
    });
    // Assess: read back from the emulator's DLQ.
    const [copy] = await receiveMessages(fixture.clients.sqs, fixture.system.queues.findings.dlqUrl, 1);
    const names = Object.keys(copy?.MessageAttributes ?? {}).sort();
    expect(names).toHaveLength(10);
    expect(names).toEqual(
      [...Object.values(DlqAttribute), 'type', 'incidentId', 'correlationId', 'traceparent'].sort(),
    );
    expect(copy?.MessageAttributes?.traceparent?.StringValue).toBe(traceparent);
  });
});
