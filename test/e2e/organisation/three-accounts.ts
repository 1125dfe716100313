import { join } from 'node:path';
import { createLogger, type QueueService } from '@ir/runtime';
import {
  accountCredentials,
  bootstrap,
  callLogEnv,
  type EmulatorAccount,
  type EmulatorClients,
  emulatorClients,
  isolatedAccount,
  randomAccountId,
  REPO_ROOT,
} from '@ir/testkit';
import { type TappedNotification, tapNotifications } from '../../../scripts/dev/notifications-tap.js';
import { createService as createDetection } from '../../../services/detection/src/service.js';
import { loadConfig as loadDetectionConfig } from '../../../services/detection/src/config.js';
import { createService as createForensics } from '../../../services/forensics/src/service.js';
import { loadConfig as loadForensicsConfig } from '../../../services/forensics/src/config.js';
import { createService as createIsolator } from '../../../services/isolator/src/service.js';
import { loadConfig as loadIsolatorConfig } from '../../../services/isolator/src/config.js';
import { createService as createNotifier } from '../../../services/notifier/src/service.js';
import { loadConfig as loadNotifierConfig } from '../../../services/notifier/src/config.js';
import {
  type CoordinatorService,
  createService as createCoordinator,
} from '../../../services/response-coordinator/src/service.js';
import { loadConfig as loadCoordinatorConfig } from '../../../services/response-coordinator/src/config.js';

/** An account and clients acting in it, straight on the emulator. */
export interface AccountHandle extends EmulatorAccount {
  readonly clients: EmulatorClients;
}

/** What the operator API returns for one incident (the fields these tests read). */
export interface IncidentDetail {
  readonly incident: {
    readonly incidentId: string;
    readonly status: string;
    readonly updatedAt: string;
    readonly target: { readonly accountId: string; readonly region: string };
  };
  readonly steps: readonly {
    readonly stepId: string;
    readonly action: string;
    readonly status: string;
    readonly target: { readonly accountId: string; readonly region: string };
  }[];
  readonly timeline: readonly { readonly kind: string; readonly at: string; readonly detail?: unknown }[];
}

const TOKEN = 'organisation-test-token-0123456789';
/** The response role the services assume in member accounts (moto accepts any role name). */
export const MEMBER_ROLE_NAME = 'ir-response';
/** A customer-managed key for snapshot copies; moto does not check it (the copy is what is read back). */
const forensicsKeyArn = (accountId: string, region: string) =>
  `arn:aws:kms:${region}:${accountId}:key/0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9`;

/**
 * The organisation-wide set-up on the emulator: a security account where the five services run
 * in-process (as `createService` builds them in main.ts), two allowed member accounts A and B, and an
 * account that is not allowed. Services act in member accounts by assuming `ir-response` there.
 */
export async function threeAccountSystem(options: {
  endpoint: string;
  region: string;
  env?: Record<string, string>;
}) {
  const { endpoint, region } = options;
  const target = { endpoint, region };
  const security = await isolatedAccount(target);
  const member = async (): Promise<AccountHandle> => {
    const accountId = randomAccountId();
    const credentials = await accountCredentials(accountId, target);
    return { accountId, credentials, clients: emulatorClients({ ...target, credentials }) };
  };
  const [memberA, memberB, outsider] = await Promise.all([member(), member(), member()]);
  const securityClients = emulatorClients({ ...target, credentials: security.credentials });
  const boot = await bootstrap({
    prefix: 'ir',
    clients: securityClients,
    notificationsTopic: 'ir-notifications',
  });
  const notifications: TappedNotification[] = [];
  const tap = await tapNotifications(securityClients, boot.topicArn ?? '', (n) => notifications.push(n));

  const common = {
    AWS_REGION: region,
    AWS_ENDPOINT_URL: endpoint,
    IR_HOME_ACCOUNT_ID: security.accountId,
    IR_MEMBER_ROLE_NAME: MEMBER_ROLE_NAME,
    IR_ALLOWED_ACCOUNTS: `${memberA.accountId},${memberB.accountId}`,
    IR_HTTP_HOST: '127.0.0.1',
    IR_HTTP_PORT: '0',
    IR_WAIT_TIME_SECONDS: '1',
    IR_VISIBILITY_TIMEOUT_SECONDS: '60',
    IR_HEARTBEAT_SECONDS: '20',
    IR_RETRY_BASE_SECONDS: '1',
    IR_RETRY_MAX_SECONDS: '2',
    IR_SHUTDOWN_GRACE_SECONDS: '5',
    LOG_LEVEL: 'silent',
    ...callLogEnv(),
    ...options.env,
  };
  // Each service builds its own metrics registry when none is given, so five fit in one process.
  const deps = () => ({
    credentials: security.credentials,
    logger: createLogger({ service: 'organisation-test', level: 'silent' }),
  });
  const coordinator: CoordinatorService = await createCoordinator(
    loadCoordinatorConfig({
      ...common,
      // The local-development static-token mode (its actor is `local-dev-token`, not a person).
      IR_ENV: 'test',
      IR_AUTH_MODE: 'static-token',
      IR_API_TOKEN: TOKEN,
      IR_SWEEP_INTERVAL_SECONDS: '5',
    }),
    deps(),
  );
  const services: QueueService[] = [
    await createDetection(loadDetectionConfig(common), deps()),
    coordinator,
    await createIsolator(loadIsolatorConfig(common), deps()),
    await createForensics(
      loadForensicsConfig({
        ...common,
        IR_EVIDENCE_BUCKET: boot.bucketName,
        IR_EVIDENCE_SIGNING_KEY: boot.signingKeyArn,
        IR_EVIDENCE_RETENTION_DAYS: '1',
        IR_SSM_INVENTORY: 'unavailable',
        IR_FORENSICS_KMS_KEY: forensicsKeyArn(security.accountId, region),
        IR_FORENSICS_ACCOUNT_ID: security.accountId,
      }),
      deps(),
    ),
    await createNotifier(
      loadNotifierConfig({
        ...common,
        IR_NOTIFY_ROUTES: join(REPO_ROOT, 'services/notifier/routes.local.yaml'),
        IR_SNS_TOPIC_ARN: boot.topicArn ?? '',
      }),
      deps(),
    ),
  ];
  for (const service of services) await service.start();

  const api = async <T>(path: string): Promise<T> => {
    const response = await coordinator.http.inject({
      method: 'GET',
      url: path,
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    if (response.statusCode !== 200) throw new Error(`GET ${path}: ${response.statusCode} ${response.body}`);
    return response.json() as T;
  };

  return {
    security: { ...security, clients: securityClients } as AccountHandle,
    memberA,
    memberB,
    outsider,
    boot,
    notifications,
    /** Every incident the coordinator holds, with steps and timeline. */
    async incidents(): Promise<IncidentDetail[]> {
      const list = await api<{ incidents: { incidentId: string }[] }>('/incidents?limit=100');
      return Promise.all(
        list.incidents.map((item) =>
          api<IncidentDetail>(`/incidents/${encodeURIComponent(item.incidentId)}`),
        ),
      );
    },
    async stop() {
      tap.stop();
      await Promise.all(services.map((service) => service.stop()));
      for (const handle of [securityClients, memberA.clients, memberB.clients, outsider.clients])
        handle.destroy();
    },
  };
}

/** The system built by {@link threeAccountSystem}. */
export type ThreeAccountSystem = Awaited<ReturnType<typeof threeAccountSystem>>;
