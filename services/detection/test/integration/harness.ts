import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { DeleteMessageBatchCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { type Message as IrMessage, parseMessage } from '@ir/contracts';
import { receiveMessages, serviceHarness } from '@ir/testkit';
import { inject } from 'vitest';
import { createService, type DetectionDeps, type DetectionService } from '../../src/service.js';
import { loadConfig } from '../../src/config.js';

/** A fresh emulated account with the system's queues and table, and clients acting in it. */
export async function detectionFixture() {
  const harness = await serviceHarness({ endpoint: inject('awsEndpoint') });
  const { endpoint, region, account, clients, system } = harness;
  const lines: Record<string, unknown>[] = [];

  /** Builds and starts a detection instance on this account; `env` overrides variables. */
  const start = async (env: Record<string, string> = {}, deps: DetectionDeps = {}) => {
    const config = loadConfig(
      harness.workerEnv({
        IR_WORKER_CONCURRENCY: '10',
        IR_SHUTDOWN_GRACE_SECONDS: '5',
        LOG_LEVEL: 'info',
        ...env,
      }),
    );
    const logged = (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>);
    // No registry given: createService makes a fresh one per instance, as the metrics test needs.
    return harness.start(
      createService(config, {
        ...harness.serviceDeps('detection', { level: 'info', onLine: logged }),
        ...deps,
      }),
    );
  };

  /** Sends raw bodies to the findings queue, ten per batch. */
  const sendFindings = async (bodies: readonly string[]) => {
    for (let offset = 0; offset < bodies.length; offset += 10) {
      const chunk = bodies.slice(offset, offset + 10);
      const output = await clients.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: system.queues.findings.url,
          Entries: chunk.map((body, index) => ({ Id: String(index), MessageBody: body })),
        }),
      );
      if ((output.Failed ?? []).length > 0) throw new Error(`send failed: ${JSON.stringify(output.Failed)}`);
    }
  };

  /**
   * Receives `expected` messages from the coordinator queue (the test plays the coordinator),
   * deletes them, and parses each with the contracts, so a malformed one fails the test.
   */
  const coordinatorMessages = async (expected: number, timeoutMs = 20_000): Promise<IrMessage[]> => {
    const url = system.queues.coordinator.url;
    const received = await receiveMessages(clients.sqs, url, expected, timeoutMs);
    for (let offset = 0; offset < received.length; offset += 10) {
      await clients.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: url,
          Entries: received.slice(offset, offset + 10).map((message, index) => ({
            Id: String(index),
            ReceiptHandle: message.ReceiptHandle,
          })),
        }),
      );
    }
    return received.map((message) => parseMessage(message.Body ?? ''));
  };

  /** Every coalescing item in the table, read back. */
  const tableItems = async () => {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, never> | undefined;
    do {
      const page = await clients.dynamodb.send(
        new ScanCommand({ TableName: system.tableName, ConsistentRead: true, ExclusiveStartKey: start }),
      );
      for (const item of page.Items ?? []) {
        items.push(
          Object.fromEntries(
            Object.entries(item).map(([key, value]) => [key, value.S ?? value.N ?? value.BOOL]),
          ),
        );
      }
      start = page.LastEvaluatedKey as Record<string, never> | undefined;
    } while (start);
    return items;
  };

  /** The value of `ir_findings_total` for one outcome, summed over sources and the given services. */
  const findingsCounted = async (services: readonly DetectionService[], outcome: string, source?: string) => {
    let total = 0;
    for (const service of services) {
      const metric = await service.metrics.findingsTotal.get();
      for (const value of metric.values) {
        if (value.labels.outcome === outcome && (source === undefined || value.labels.source === source)) {
          total += value.value;
        }
      }
    }
    return total;
  };

  const stop = harness.stop;

  return {
    endpoint,
    region,
    account,
    clients,
    system,
    lines,
    start,
    sendFindings,
    coordinatorMessages,
    tableItems,
    findingsCounted,
    stop,
  };
}

/** The fixture's type, for helpers in test files. */
export type DetectionFixture = Awaited<ReturnType<typeof detectionFixture>>;
