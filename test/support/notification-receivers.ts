import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EmulatorClients } from '@ir/testkit';
import { tapNotifications } from '../../scripts/dev/notifications-tap.js';

/** One notification a local receiver got, with the channel it came through. */
export interface ReceivedNotification {
  readonly channel: 'webhook' | 'sns';
  readonly incidentId: string;
  readonly stage: string;
  readonly severityBand: string;
  /** For the webhook: whether the HMAC signature checked out with the shared secret. */
  readonly signatureValid: boolean;
}

/** The receivers and the notifier settings that route every notification to both of them. */
export interface NotificationReceivers {
  readonly received: ReceivedNotification[];
  /** Environment for the notifier: routes file, webhook URL and secret, SNS topic. */
  readonly notifierEnv: NodeJS.ProcessEnv;
  /** Notifications of one incident. */
  of(incidentId: string): ReceivedNotification[];
  stop(): Promise<void>;
}

/**
 * Local receivers for the notifier: a signed-webhook HTTP server on 127.0.0.1, and an SQS queue
 * subscribed to the SNS topic (real SNS → SQS delivery in the emulator). Routes send every
 * notification to both, so a test sees what people would have been told, through two channels.
 */
export async function startNotificationReceivers(
  clients: EmulatorClients,
  topicArn: string,
): Promise<NotificationReceivers> {
  const received: ReceivedNotification[] = [];
  const secret = randomBytes(24).toString('hex');
  const server = await startWebhookServer(secret, (notification) => received.push(notification));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('webhook receiver has no port');
  // The SNS → SQS tap of `pnpm dev` (scripts/dev), reused: one subscribed queue per account.
  const tap = await tapNotifications(clients, topicArn, (notification) =>
    received.push({ channel: 'sns', ...notification, signatureValid: false }),
  );

  const directory = mkdtempSync(join(tmpdir(), 'ir-e2e-routes-'));
  const routes = join(directory, 'routes.yaml');
  writeFileSync(routes, 'routes:\n  - channels: [sns, webhook]\n');
  return {
    received,
    notifierEnv: {
      IR_NOTIFY_ROUTES: routes,
      IR_SNS_TOPIC_ARN: topicArn,
      IR_WEBHOOK_URL: `http://127.0.0.1:${address.port}/ir-notifications`,
      IR_WEBHOOK_SECRET: secret,
    },
    of: (incidentId) => received.filter((notification) => notification.incidentId === incidentId),
    async stop() {
      tap.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function startWebhookServer(
  secret: string,
  onNotification: (notification: ReceivedNotification) => void,
): Promise<Server> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const timestamp = String(request.headers['x-ir-timestamp'] ?? '');
      const signature = String(request.headers['x-ir-signature'] ?? '');
      const expected = `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
      const signatureValid =
        signature.length === expected.length &&
        timingSafeEqual(Buffer.from(signature), Buffer.from(expected));
      try {
        onNotification({ channel: 'webhook', ...documentFields(JSON.parse(body)), signatureValid });
        response.writeHead(signatureValid ? 204 : 401).end();
      } catch {
        response.writeHead(400).end();
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  return server;
}

function documentFields(document: Record<string, unknown>) {
  return {
    incidentId: String(document.incidentId ?? ''),
    stage: String(document.stage ?? ''),
    severityBand: String(document.severityBand ?? ''),
  };
}
