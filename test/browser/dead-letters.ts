/**
 * The console's DLQ page in chromium: the tests run inside console.test.ts's suite (this file is not a
 * `.test.ts` of its own) so that they share its `pnpm demo` stack and browser: a second stack would
 * cost minutes and, on a 2-core machine, slow both. What they rely on from the demo: its malformed
 * finding, dead-lettered by detection with the reason `schema` and left visible in `ir-findings-dlq`.
 *
 * Every assertion about the queues is read back from the emulator's SQS, never from the page.
 */
import {
  ChangeMessageVisibilityBatchCommand,
  GetQueueUrlCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { DlqAttribute } from '@ir/runtime';
import { DEMO_OPERATORS, type EmulatorClients } from '@ir/testkit';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DEMO_MALFORMED_FINDING } from '../../scripts/dev/demo-findings.js';
import {
  cspViolations,
  deviceFlowToken,
  horizontalOverflow,
  type PersonPage,
  screenshot,
  signIn,
  tokenInPageStorage,
} from './browser.js';
import type { DevStack } from './dev-stack.js';

/** What the DLQ tests take from the suite that runs them. */
export interface DeadLetterSuite {
  readonly stack: DevStack;
  readonly clients: EmulatorClients;
  /** A new browser context (one person), closed by the suite. */
  readonly person: () => Promise<PersonPage>;
}

/**
 * Every message in a queue, read as the API lists them: received (hidden for 30 s) until SQS has no
 * more, then all released at once, so the queue is left as found for the page and the redrive.
 */
async function peekQueue(sqs: SQSClient, queueUrl: string): Promise<Message[]> {
  const seen = new Map<string, Message>();
  for (let round = 0; round < 10; round += 1) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        VisibilityTimeout: 30,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );
    if (Messages.length === 0) break;
    for (const message of Messages) seen.set(message.MessageId ?? '', message);
  }
  const messages = [...seen.values()];
  for (let start = 0; start < messages.length; start += 10) {
    await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queueUrl,
        Entries: messages.slice(start, start + 10).map((message, index) => ({
          Id: String(index),
          ReceiptHandle: message.ReceiptHandle ?? '',
          VisibilityTimeout: 0,
        })),
      }),
    );
  }
  return messages;
}

const reasonOf = (message: Message) => message.MessageAttributes?.[DlqAttribute.reason]?.StringValue;

/** The demo's malformed finding(s) in the DLQ, as SQS has them. */
async function malformedInDlq(sqs: SQSClient, dlqUrl: string): Promise<Message[]> {
  return (await peekQueue(sqs, dlqUrl)).filter((message) => message.Body === DEMO_MALFORMED_FINDING);
}

/** Opens the DLQ page from the header, as a person does. */
async function openDeadLetters(page: Page): Promise<void> {
  await page.getByRole('link', { name: 'Dead letters' }).click();
  await page.getByRole('heading', { name: 'Dead-letter queues', level: 1 }).waitFor({ timeout: 30_000 });
}

/** The depth table's "Messages" cell of a work queue's DLQ. */
const depthCell = (page: Page, queue: string) =>
  page.locator(`tr[data-queue="${queue}"] td[data-count="messages"]`);

/**
 * The DLQ page's tests, registered in the calling `describe`; `suite` is read when they run (after
 * the caller's `beforeAll`).
 */
export function deadLetterPageTests(suite: () => DeadLetterSuite): void {
  describe('the DLQ page', () => {
    const findingsDlq = async () => {
      const { clients } = suite();
      return (
        (await clients.sqs.send(new GetQueueUrlCommand({ QueueName: 'ir-findings-dlq' }))).QueueUrl ?? ''
      );
    };

    it('shows a viewer the depths but no messages and no redrive; the forced redrive gets 403 and the DLQ is unchanged', async () => {
      // Prepare
      const { stack, clients, person } = suite();
      const dlqUrl = await findingsDlq();
      const before = await malformedInDlq(clients.sqs, dlqUrl);
      expect(before.length).toBeGreaterThan(0);
      const { page, messages } = await person();
      await signIn(page, stack.consoleUrl, DEMO_OPERATORS.viewer);
      // Act
      await openDeadLetters(page);
      await expect
        .poll(async () => Number(await depthCell(page, 'findings').textContent()), { timeout: 30_000 })
        .toBeGreaterThanOrEqual(before.length);
      await page.goto(`${stack.consoleUrl}dlq/findings`);
      await page.getByText('Reading the messages in a DLQ needs the responder role.').waitFor();
      const token =
        (await tokenInPageStorage(page)) ?? (await deviceFlowToken(stack.issuer, DEMO_OPERATORS.viewer));
      const status = await page.evaluate(
        async ({ bearer, ids }) =>
          (
            await fetch('/dlq/findings/redrive', {
              method: 'POST',
              headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
              body: JSON.stringify({ messageIds: ids, reason: 'forced by a viewer' }),
            })
          ).status,
        { bearer: token, ids: before.map((message) => message.MessageId ?? '') },
      );
      // Assess: no redrive control, no message listed, the API refused, and SQS still has the message.
      expect(await page.getByRole('button', { name: /Redrive/ }).count()).toBe(0);
      expect(await page.getByRole('checkbox').count()).toBe(0);
      expect(await page.locator('li[data-message-id]').count()).toBe(0);
      expect(status).toBe(403);
      const after = await malformedInDlq(clients.sqs, dlqUrl);
      expect(after.map((message) => message.MessageId).sort()).toEqual(
        before.map((message) => message.MessageId).sort(),
      );
      expect(cspViolations(messages)).toEqual([]);
    });

    it("lets an admin redrive the demo's malformed finding: it leaves the DLQ, and detection dead-letters it again", async () => {
      // Prepare
      const { stack, clients, person } = suite();
      const dlqUrl = await findingsDlq();
      const [original] = await malformedInDlq(clients.sqs, dlqUrl);
      if (!original?.MessageId) throw new Error('the demo left no malformed finding in ir-findings-dlq');
      const originalId = original.MessageId;
      expect(reasonOf(original)).toBe('schema');
      const { page, messages } = await person();
      await signIn(page, stack.consoleUrl, DEMO_OPERATORS.admin);
      await openDeadLetters(page);
      await page.getByRole('link', { name: 'findings', exact: true }).click();
      const item = page.locator(`li[data-message-id="${originalId}"]`);
      await item.waitFor({ timeout: 30_000 });
      await item.getByText(`Body (${DEMO_MALFORMED_FINDING.length} characters)`).click();
      // Assess what the page shows of it: its reason, and its body as text.
      expect(await item.getAttribute('data-reason')).toBe('schema');
      expect(await item.locator('pre').textContent()).toBe(DEMO_MALFORMED_FINDING);
      expect(await horizontalOverflow(page)).toBe(0);

      // Act: select it, redrive, confirm with a reason.
      await page.getByLabel(`Select message ${originalId}`).check();
      await screenshot(page, 'dead-letters', { fullPage: true });
      await page.getByRole('button', { name: 'Redrive selected (1)' }).click();
      const dialog = page.getByRole('dialog', { name: 'Redrive 1 message?' });
      await dialog.getByLabel('Reason for redrive').fill('schema fixed upstream; try again');
      await dialog.getByRole('button', { name: 'Confirm redrive' }).click();

      // Assess: the page reports the move…
      const result = page.getByRole('region', { name: 'Redrive result' });
      await result.waitFor({ timeout: 30_000 });
      await expect.poll(() => page.getByRole('status').textContent()).toMatch(/moved 1 message, 0 problems/);
      expect(await result.textContent()).toContain(originalId);
      // …and SQS says the same: the original left the DLQ, and detection, finding it still malformed,
      // dead-lettered it again as a new message with the same body and reason.
      let again: Message[] = [];
      await expect
        .poll(
          async () => {
            again = await malformedInDlq(clients.sqs, dlqUrl);
            return again.some((message) => message.MessageId !== originalId);
          },
          { timeout: 60_000, interval: 2_000 },
        )
        .toBe(true);
      expect(again.map((message) => message.MessageId)).not.toContain(originalId);
      expect(again.map(reasonOf)).toEqual(again.map(() => 'schema'));
      // The page lists the new one on request, and fits a phone.
      await page.getByRole('button', { name: 'Refresh messages' }).click();
      const newId = again[0]?.MessageId ?? '';
      await page.locator(`li[data-message-id="${newId}"]`).waitFor({ timeout: 30_000 });
      await page.setViewportSize({ width: 390, height: 844 });
      expect(await horizontalOverflow(page)).toBe(0);
      expect(cspViolations(messages)).toEqual([]);
    });
  });
}
