import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { DlqAttribute } from '@ir/runtime';
import {
  bootstrap,
  type BootstrapResult,
  type EmulatorClients,
  emulatorClients,
  findingTypes,
  guardDutyEventBridgeFinding,
  isolatedAccount,
  queueDepth,
  receiveMessages,
} from '@ir/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runIrctl } from '../../src/cli.js';
import { ExitCode } from '../../src/errors.js';

const text = (value: string) => ({ DataType: 'String', StringValue: value });

describe('irctl submit and dlq (on the emulator)', () => {
  let clients: EmulatorClients;
  let system: BootstrapResult;
  let env: Record<string, string>;
  let accountId: string;
  // The account's clients, injected: in-process the SDK's default chain would read this process's keys.
  const run = (argv: string[], stdin?: string) =>
    runIrctl(argv, env, {
      aws: { sqs: () => clients.sqs, s3: () => clients.s3, kms: () => clients.kms },
      ...(stdin ? { stdin } : {}),
    });

  beforeAll(async () => {
    const endpoint = inject('awsEndpoint');
    const region = process.env.AWS_REGION ?? 'us-east-1';
    const account = await isolatedAccount({ endpoint, region });
    accountId = account.accountId;
    clients = emulatorClients({ endpoint, region, credentials: account.credentials });
    system = await bootstrap({ prefix: 'ir', clients });
    env = { AWS_ENDPOINT_URL: endpoint, AWS_REGION: region, IR_PREFIX: 'ir' };
  });
  afterAll(() => clients.destroy());

  it('submit sends the finding unchanged to the findings queue, and --dry-run marks it', async () => {
    // Prepare
    const finding = JSON.stringify(
      guardDutyEventBridgeFinding({ accountId, type: findingTypes.c2Dns, severity: 8 }),
    );
    const file = join(tmpdir(), `irctl-submit-${process.pid}.json`);
    await writeFile(file, finding);
    // Act
    const live = await run(['submit', file]);
    const dry = await run(['submit', '-', '--dry-run', '--json'], finding);
    // Assess
    expect(live.code).toBe(ExitCode.ok);
    expect(dry.code).toBe(ExitCode.ok);
    const messages = await receiveMessages(clients.sqs, system.queues.findings.url, 2);
    expect(messages).toHaveLength(2);
    for (const message of messages) expect(message.Body).toBe(finding);
    const dryId = (JSON.parse(dry.stdout) as { messageId: string }).messageId;
    const dryMessage = messages.find((message) => message.MessageId === dryId);
    const liveMessage = messages.find((message) => message.MessageId !== dryId);
    expect(dryMessage?.MessageAttributes?.['ir-dry-run']?.StringValue).toBe('true');
    expect(liveMessage?.MessageAttributes?.['ir-dry-run']).toBeUndefined();
    expect(live.stdout).toContain('sent 1 finding(s) (guardduty-eventbridge) to ir-findings');
  });

  it('submit refuses a malformed finding (exit 2) and sends nothing', async () => {
    // Prepare
    const before = await queueDepth(clients.sqs, system.queues.findings.url);
    // Act
    const result = await run(['submit', '-'], '{"format":"ir.finding/v1","id":""}');
    // Assess
    expect(result.code).toBe(ExitCode.usage);
    expect(result.stderr).toMatch(/not a valid finding/);
    expect(await queueDepth(clients.sqs, system.queues.findings.url)).toBe(before);
  });

  it('dlq list shows each message with its reason, leaving the DLQ as it was', async () => {
    // Prepare
    const dlqUrl = system.queues.coordinator.dlqUrl;
    await clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: dlqUrl,
        MessageBody: '{"type":"step.succeeded"}',
        MessageAttributes: {
          [DlqAttribute.reason]: text('schema'),
          [DlqAttribute.error]: text('MessageParseError'),
          [DlqAttribute.detail]: text('payload.stepId: expected string'),
          [DlqAttribute.sourceQueue]: text('coordinator'),
          type: text('step.succeeded'),
          incidentId: text('inc-dlq-1'),
        },
      }),
    );
    await clients.sqs.send(
      new SendMessageCommand({ QueueUrl: dlqUrl, MessageBody: 'moved by the redrive policy' }),
    );
    // Act
    const table = await run(['dlq', 'list', 'coordinator']);
    const json = await run(['dlq', 'list', 'ir-coordinator-dlq', '--json']);
    // Assess
    expect(table.code).toBe(ExitCode.ok);
    expect(table.stdout).toContain('ir-coordinator-dlq: 2 message(s)');
    expect(table.stdout).toMatch(
      /schema\s+MessageParseError\s+\S*\s*step\.succeeded\s+inc-dlq-1\s+payload\.stepId: expected string/,
    );
    expect(table.stdout).toContain('retries-exhausted');
    const listed = JSON.parse(json.stdout) as { count: number; messages: { reason: string }[] };
    expect(listed.count).toBe(2);
    expect(listed.messages.map((message) => message.reason).sort()).toEqual(['retries-exhausted', 'schema']);
    expect(await queueDepth(clients.sqs, dlqUrl)).toBe(2);
  });

  it('dlq redrive moves every message back without its ir-dlq-* attributes and empties the DLQ', async () => {
    // Prepare
    const { url, dlqUrl } = system.queues.notifier;
    for (const index of [1, 2, 3]) {
      await clients.sqs.send(
        new SendMessageCommand({
          QueueUrl: dlqUrl,
          MessageBody: `{"n":${index}}`,
          MessageAttributes: {
            [DlqAttribute.reason]: text('transient'),
            [DlqAttribute.failedAt]: text('2026-03-01T10:00:00.000Z'),
            type: text('notify.incident'),
            incidentId: text(`inc-${index}`),
          },
        }),
      );
    }
    // Act
    const result = await run(['dlq', 'redrive', 'notifier']);
    // Assess
    expect(result.code).toBe(ExitCode.ok);
    expect(result.stdout).toContain('moved 3 message(s) from ir-notifier-dlq to ir-notifier');
    expect(await queueDepth(clients.sqs, dlqUrl)).toBe(0);
    const back = await receiveMessages(clients.sqs, url, 3);
    expect(back.map((message) => message.Body).sort()).toEqual(['{"n":1}', '{"n":2}', '{"n":3}']);
    for (const message of back) {
      const names = Object.keys(message.MessageAttributes ?? {}).sort();
      expect(names).toEqual(['incidentId', 'type']);
    }
  });

  it('dlq redrive leaves a decision dead-lettered for its signature in the DLQ and exits 1', async () => {
    // Prepare: a forged decision as the coordinator dead-letters it, next to an ordinary one.
    const { url, dlqUrl } = system.queues.coordinator;
    for (const reason of ['decision-signature-mismatch', 'transient']) {
      await clients.sqs.send(
        new SendMessageCommand({
          QueueUrl: dlqUrl,
          MessageBody: JSON.stringify({ reason }),
          MessageAttributes: { [DlqAttribute.reason]: text(reason), type: text('approval.granted') },
        }),
      );
    }
    // Act
    const result = await run(['dlq', 'redrive', 'coordinator']);
    // Assess
    expect(result.code).toBe(ExitCode.failed);
    expect(result.stdout).toMatch(/^not moved: \S+ \(refused: .*evidence of a forgery/m);
    // Everything else left the DLQ (earlier tests' letters too); the forgery alone stayed.
    expect(await queueDepth(clients.sqs, dlqUrl)).toBe(1);
    const kept = await receiveMessages(clients.sqs, dlqUrl, 1);
    expect(kept.map((message) => message.Body)).toEqual(['{"reason":"decision-signature-mismatch"}']);
    const depth = await queueDepth(clients.sqs, url);
    const moved = await receiveMessages(clients.sqs, url, depth);
    expect(moved.map((message) => message.Body)).toContain('{"reason":"transient"}');
    expect(moved.map((message) => message.Body)).not.toContain('{"reason":"decision-signature-mismatch"}');
  });

  it('dlq refuses a queue that is not one of the system queues (exit 2)', async () => {
    // Prepare
    const argv = ['dlq', 'redrive', 'payments'];
    // Act
    const result = await run(argv);
    // Assess
    expect(result.code).toBe(ExitCode.usage);
    expect(result.stderr).toContain('unknown queue "payments"');
  });
});
