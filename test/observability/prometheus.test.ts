/**
 * A real Prometheus (Debian's `prometheus` package) scrapes the five services, running as their own
 * processes against the emulator, while an EC2 compromise goes through; MTTI and MTTE are then read
 * back from Prometheus's query API and checked against the incident record. The shipped recording
 * and alert rules are loaded by the same Prometheus, so a rule that stops parsing fails here too; a
 * forged operator decision on the coordinator queue must then fire the shipped alert.
 * Without the binary the test is skipped, unless IR_REQUIRE_TOOLS=1 (CI) makes that a failure.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { buildMessage } from '@ir/contracts';
import {
  bootstrap,
  createInstance,
  createVpc,
  emulatorClients,
  eventually,
  freePort,
  guardDutyEventBridgeFinding,
  isolatedAccount,
  REPO_ROOT,
  SERVICE_NAMES,
  type ServiceProcess,
  startServiceProcess,
} from '@ir/testkit';
import { afterAll, describe, expect, inject, it } from 'vitest';

const hasPrometheus = spawnSync('sh', ['-c', 'command -v prometheus']).status === 0;
if (!hasPrometheus && process.env.IR_REQUIRE_TOOLS === '1') {
  throw new Error('prometheus is required (IR_REQUIRE_TOOLS=1) but not installed');
}

interface PromAlert {
  state: string;
  labels: Record<string, string>;
}

interface PromVector {
  status: string;
  data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
}

describe('Prometheus scraping the running services', () => {
  const processes: ServiceProcess[] = [];
  const cleanups: Array<() => Promise<void> | void> = [];
  afterAll(async () => {
    await Promise.all(processes.map((service) => service.stop(15_000)));
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  // skip: install Debian's prometheus package to run (CI installs it and sets IR_REQUIRE_TOOLS=1)
  it.skipIf(!hasPrometheus)(
    'reports MTTI and MTTE of an EC2 compromise through its query API, matching the incident record, and alerts on a forged decision',
    async () => {
      // Prepare: an account with a 2-ENI instance, the system's resources, five services, Prometheus.
      const endpoint = inject('awsEndpoint');
      const region = process.env.AWS_REGION ?? 'us-east-1';
      const account = await isolatedAccount({ endpoint, region });
      const clients = emulatorClients({ endpoint, region, credentials: account.credentials });
      cleanups.push(() => clients.destroy());
      const system = await bootstrap({ prefix: 'ir', clients, notificationsTopic: 'ir-notifications' });
      const vpc = await createVpc({ ec2: clients.ec2, subnets: 2 });
      const instance = await createInstance({ ec2: clients.ec2, subnetIds: vpc.subnetIds, eniCount: 2 });
      const token = randomBytes(24).toString('hex');
      const ports = await Promise.all(SERVICE_NAMES.map(() => freePort()));
      const perService: Record<string, NodeJS.ProcessEnv> = {
        'response-coordinator': {
          IR_ENV: 'test',
          IR_AUTH_MODE: 'static-token',
          IR_API_TOKEN: token,
          IR_SWEEP_INTERVAL_SECONDS: '5',
        },
        forensics: {
          IR_EVIDENCE_BUCKET: system.bucketName,
          IR_EVIDENCE_SIGNING_KEY: system.signingKeyArn,
          IR_SSM_INVENTORY: 'unavailable',
        },
        notifier: {
          IR_NOTIFY_ROUTES: join(REPO_ROOT, 'services/notifier/routes.local.yaml'),
          IR_SNS_TOPIC_ARN: system.topicArn ?? '',
        },
      };
      SERVICE_NAMES.forEach((name, index) => {
        processes.push(
          startServiceProcess({
            name,
            env: {
              ...process.env,
              AWS_ENDPOINT_URL: endpoint,
              AWS_REGION: region,
              AWS_ACCESS_KEY_ID: account.credentials.accessKeyId,
              AWS_SECRET_ACCESS_KEY: account.credentials.secretAccessKey,
              AWS_SESSION_TOKEN: account.credentials.sessionToken ?? '',
              IR_HOME_ACCOUNT_ID: account.accountId,
              IR_HTTP_HOST: '127.0.0.1',
              IR_HTTP_PORT: String(ports[index]),
              IR_WAIT_TIME_SECONDS: '2',
              LOG_LEVEL: 'warn',
              ...perService[name],
            },
          }),
        );
      });
      const dataDir = mkdtempSync(join(tmpdir(), 'ir-prometheus-'));
      cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
      const promPort = await freePort();
      writeFileSync(
        join(dataDir, 'prometheus.yml'),
        [
          'global: { scrape_interval: 1s, evaluation_interval: 1s }',
          `rule_files: ["${join(REPO_ROOT, 'docker/prometheus-rules.yml')}"]`,
          'scrape_configs:',
          '  - job_name: incident-response',
          '    static_configs:',
          `      - targets: [${ports.map((port) => `"127.0.0.1:${port}"`).join(', ')}]`,
          '',
        ].join('\n'),
      );
      const prometheus = spawn(
        'prometheus',
        [
          `--config.file=${join(dataDir, 'prometheus.yml')}`,
          `--storage.tsdb.path=${join(dataDir, 'data')}`,
          `--web.listen-address=127.0.0.1:${promPort}`,
        ],
        { stdio: 'ignore' },
      );
      cleanups.push(async () => {
        prometheus.kill('SIGTERM');
        await new Promise((resolve) => prometheus.once('exit', resolve));
      });
      const prom = `http://127.0.0.1:${promPort}`;
      const query = async (promql: string) => {
        const response = await fetch(`${prom}/api/v1/query?query=${encodeURIComponent(promql)}`);
        return (await response.json()) as PromVector;
      };
      await eventually(
        async () =>
          (await query('sum(up{job="incident-response"})').catch(() => undefined))?.data.result[0]
            ?.value[1] === '5',
        120_000,
        'Prometheus scraping all five services',
      );

      // Act: the compromise, exactly as EventBridge delivers it.
      const finding = guardDutyEventBridgeFinding({
        accountId: account.accountId,
        region,
        severity: 8,
        createdAt: new Date().toISOString(),
        updatedAt: new Date().toISOString(),
        resource: {
          kind: 'instance',
          instanceId: instance.instanceId,
          enis: instance.networkInterfaceIds.map((networkInterfaceId) => ({
            networkInterfaceId,
            vpcId: vpc.vpcId,
          })),
        },
      });
      await clients.sqs.send(
        new SendMessageCommand({
          QueueUrl: system.queues.findings.url,
          MessageBody: JSON.stringify(finding),
        }),
      );
      const api = `http://127.0.0.1:${ports[SERVICE_NAMES.indexOf('response-coordinator')]}`;
      const headers = { authorization: `Bearer ${token}` };
      let incident:
        | {
            incidentId: string;
            status: string;
            receivedAt: string;
            firstContainedAt?: string;
            evidenceSealedAt?: string;
          }
        | undefined;
      await eventually(
        async () => {
          const list = (await (await fetch(`${api}/incidents`, { headers })).json()) as {
            incidents: NonNullable<typeof incident>[];
          };
          incident = list.incidents[0];
          return incident?.status === 'completed';
        },
        180_000,
        'the incident completing',
      );
      // Evidence is sealed before or after isolation: wait until a scrape has seen both.
      await eventually(
        async () =>
          (await query('sum(ir_time_to_evidence_seconds_count) + sum(ir_time_to_isolate_seconds_count)')).data
            .result[0]?.value[1] === '2',
        60_000,
        'Prometheus scraping MTTI and MTTE',
      );
      const mtti = await query(
        'histogram_quantile(0.5, sum by (le, playbook, severity) (ir_time_to_isolate_seconds_bucket))',
      );
      const mtte = await query(
        'histogram_quantile(0.5, sum by (le, playbook, severity) (ir_time_to_evidence_seconds_bucket))',
      );
      const mttiSum = await query('sum(ir_time_to_isolate_seconds_sum)');
      const mtteSum = await query('sum(ir_time_to_evidence_seconds_sum)');
      // Resolve it as a false positive: MTTR by category and disposition, and the false-positive share
      // of its finding type, as Prometheus records them from the shipped rules.
      const resolved = await fetch(`${api}/incidents/${incident?.incidentId ?? ''}/resolve`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ disposition: 'false-positive', category: 'reconnaissance' }),
      });
      await eventually(
        async () => (await query('sum(ir_time_to_resolve_seconds_count)')).data.result[0]?.value[1] === '1',
        60_000,
        'Prometheus scraping MTTR',
      );
      const mttr = await query('sum by (playbook, category, disposition) (ir_time_to_resolve_seconds_count)');
      let falsePositiveShare: PromVector | undefined;
      await eventually(
        async () => {
          falsePositiveShare = await query('ir:false_positive_ratio:by_finding_type_30d');
          return falsePositiveShare.data.result.some((sample) => sample.value[1] === '1');
        },
        60_000,
        'the false-positive share recorded',
      );
      // Every panel of the shipped Grafana dashboard is a query this Prometheus accepts.
      const dashboard = JSON.parse(
        readFileSync(join(REPO_ROOT, 'docker/grafana/dashboards/incident-response.json'), 'utf8'),
      ) as { panels: Array<{ title: string; targets: Array<{ expr: string }> }> };
      const panelErrors: string[] = [];
      for (const panel of dashboard.panels) {
        for (const target of panel.targets) {
          const answer = await query(target.expr.replaceAll('$__rate_interval', '1m'));
          if (answer.status !== 'success') panelErrors.push(`${panel.title}: ${JSON.stringify(answer)}`);
        }
      }
      const rules = (await (await fetch(`${prom}/api/v1/rules`)).json()) as {
        data: { groups: Array<{ name: string; rules: unknown[] }> };
      };
      // A forged approval straight onto the coordinator queue (unsigned, as any sender could write it):
      // refused, and the shipped alert fires on the coordinator's counter.
      const forged = buildMessage('approval.granted', {
        incidentId: incident?.incidentId ?? '',
        correlationId: incident?.incidentId ?? '',
        causationId: null,
        producer: 'response-coordinator-api',
        dryRun: false,
        payload: { stepId: 'isolate-instance', by: 'Mallory' },
      });
      await clients.sqs.send(
        new SendMessageCommand({
          QueueUrl: system.queues.coordinator.url,
          MessageBody: JSON.stringify(forged),
        }),
      );
      let forgedAlert: PromAlert | undefined;
      await eventually(
        async () => {
          const alerts = (await (await fetch(`${prom}/api/v1/alerts`)).json()) as {
            data: { alerts: PromAlert[] };
          };
          forgedAlert = alerts.data.alerts.find(
            (alert) => alert.labels.alertname === 'IrForgedOperatorDecision',
          );
          return forgedAlert?.state === 'firing';
        },
        60_000,
        'the IrForgedOperatorDecision alert firing',
      );

      // Assess
      const seconds = (from: string, to?: string) => (Date.parse(to ?? '') - Date.parse(from)) / 1000;
      const record = incident as NonNullable<typeof incident>;
      expect(mtti.data.result[0]?.metric).toEqual({ playbook: 'ec2-compromise', severity: 'HIGH' });
      expect(mtte.data.result[0]?.metric).toEqual({ playbook: 'ec2-compromise', severity: 'HIGH' });
      expect(Number(mtti.data.result[0]?.value[1])).toBeGreaterThan(0);
      expect(Number(mtte.data.result[0]?.value[1])).toBeGreaterThan(0);
      expect(Number(mttiSum.data.result[0]?.value[1])).toBeCloseTo(
        seconds(record.receivedAt, record.firstContainedAt),
        3,
      );
      expect(Number(mtteSum.data.result[0]?.value[1])).toBeCloseTo(
        seconds(record.receivedAt, record.evidenceSealedAt),
        3,
      );
      expect(forgedAlert?.labels).toMatchObject({
        alertname: 'IrForgedOperatorDecision',
        type: 'approval.granted',
        reason: 'missing',
        severity: 'critical',
      });
      expect(resolved.status).toBe(202);
      expect(mttr.data.result.map((sample) => sample.metric)).toEqual([
        { playbook: 'ec2-compromise', category: 'reconnaissance', disposition: 'false-positive' },
      ]);
      expect(
        falsePositiveShare?.data.result.find((sample) => sample.value[1] === '1')?.metric.finding_type,
      ).toBe(finding.detail.type);
      expect(panelErrors).toEqual([]);
      expect(rules.data.groups.map((group) => group.name).sort()).toEqual([
        'incident-response-alerts',
        'incident-response-recording',
      ]);
    },
    360_000,
  );
});
