/**
 * The EventBridge path (issue 23, part 7): the finding rules the CDK app synthesises, installed into
 * the emulator's EventBridge as they are in the template, route GuardDuty events put on the bus
 * with `PutEvents` to the findings queue, and they become incidents.
 *
 * Security Hub's rules (`Security Hub Findings - Imported`, `Findings Imported V2`) are installed too,
 * but not exercised: their patterns filter on fields of the objects in `detail.findings[]`, which
 * EventBridge matches element by element, and moto (5.2.5, and 5.2.6) flattens only objects, so no
 * Security Hub event matches there. That part of the path stays unproven here (see test/README.md).
 */
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import {
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { baseClientConfig } from '@ir/runtime';
import {
  bootstrap,
  type EmulatorAccount,
  type EmulatorClients,
  emulatorClients,
  isolatedAccount,
} from '@ir/testkit';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { buildTestApp } from '../../deploy/test/build.js';
import { resourcesOf } from '../../deploy/test/template.js';
import { createTargetInstance, instanceFinding } from '../support/findings.js';
import { waitForIncidentOf } from '../support/incident-progress.js';
import { type RunningSystem, startSystem } from '../support/system.js';

/** A rule of the template that targets the findings queue, as CloudFormation would create it. */
interface FindingRule {
  readonly name: string;
  readonly pattern: Record<string, unknown>;
}

/** An event as EventBridge delivers it (the documented samples' shape). */
interface BusEvent {
  readonly source: string;
  readonly 'detail-type': string;
  readonly resources?: string[];
  readonly detail: { id: string; severity: number; type: string } & Record<string, unknown>;
}

/** The rules of the synthesised system stack whose target is the findings queue. */
function findingRules(): FindingRule[] {
  const { systemTemplate } = buildTestApp({ findingSeverityThreshold: 7 });
  const [[findingsQueue] = []] = resourcesOf(systemTemplate, 'AWS::SQS::Queue').filter(
    ([, queue]) => queue.Properties.QueueName === 'ir-findings',
  );
  if (!findingsQueue) throw new Error('the template has no ir-findings queue');
  const targetsFindings = (targets: unknown) =>
    JSON.stringify(targets).includes(JSON.stringify({ 'Fn::GetAtt': [findingsQueue, 'Arn'] }));
  return resourcesOf(systemTemplate, 'AWS::Events::Rule')
    .filter(([, rule]) => targetsFindings(rule.Properties.Targets))
    .map(([, rule]) => ({
      name: String(rule.Properties.Name),
      pattern: rule.Properties.EventPattern as Record<string, unknown>,
    }));
}

/** Installs `rules` in the account's default bus, each targeting `queueArn`. */
async function installRules(events: EventBridgeClient, rules: readonly FindingRule[], queueArn: string) {
  for (const rule of rules) {
    await events.send(
      new PutRuleCommand({ Name: rule.name, EventPattern: JSON.stringify(rule.pattern), State: 'ENABLED' }),
    );
    await events.send(
      new PutTargetsCommand({ Rule: rule.name, Targets: [{ Id: 'findings', Arn: queueArn }] }),
    );
  }
}

function eventBridgeClient(endpoint: string, region: string, account: EmulatorAccount) {
  return new EventBridgeClient(baseClientConfig({ endpoint, region, credentials: account.credentials }));
}

/** A documented GuardDuty sample (sourced or bare), with a fresh finding id. */
function guardDutySample(fileName: string): BusEvent {
  const text = readFileSync(
    new URL(`../../packages/contracts/test/fixtures/${fileName}`, import.meta.url),
    'utf8',
  );
  const document = JSON.parse(text) as { payload?: BusEvent } & BusEvent;
  const event = structuredClone(document.payload ?? document);
  event.detail.id = randomUUID().replaceAll('-', '');
  return event;
}

/** Puts events on the default bus as a producer would (ten per call); fails on any refused entry. */
async function putEvents(events: EventBridgeClient, bus: readonly BusEvent[]): Promise<void> {
  for (let start = 0; start < bus.length; start += 10) {
    const output = await events.send(
      new PutEventsCommand({
        Entries: bus.slice(start, start + 10).map((event) => ({
          Source: event.source,
          DetailType: event['detail-type'],
          Detail: JSON.stringify(event.detail),
          Resources: event.resources ?? [],
          Time: new Date(),
        })),
      }),
    );
    expect(output.FailedEntryCount ?? 0).toBe(0);
  }
}

/** Finding ids of the events on a queue, read until nothing new arrives for `quietMs`. */
async function findingIdsOn(clients: EmulatorClients, queueUrl: string, quietMs = 3_000): Promise<string[]> {
  const ids: string[] = [];
  let quietSince = Date.now();
  while (Date.now() - quietSince < quietMs) {
    const output = await clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    for (const message of output.Messages ?? []) {
      ids.push((JSON.parse(message.Body ?? '{}') as { detail?: { id?: string } }).detail?.id ?? '?');
      quietSince = Date.now();
    }
  }
  return ids.sort();
}

const GUARDDUTY_SAMPLES = [
  'guardduty-eventbridge-sample.json',
  'guardduty-eventbridge-ec2-multi-eni.json',
  'guardduty-eventbridge-attack-sequence-eks.json',
  'guardduty-eventbridge-eks-runtime.json',
  'guardduty-eventbridge-lambda.json',
  'guardduty-eventbridge-rds-login.json',
  'guardduty-eventbridge-s3-malware.json',
  'guardduty-eventbridge-container-runtime.json',
  'guardduty-eventbridge-iam-user.json',
  'guardduty-eventbridge-cloudtrail-logging-disabled.json',
];

describe('the EventBridge path: the synthesised finding rules in the emulator', () => {
  const rules = findingRules();
  const endpoint = inject('awsEndpoint');
  const region = process.env.AWS_REGION ?? 'us-east-1';
  let system: RunningSystem | undefined;
  const opened: { destroy(): void }[] = [];
  afterAll(async () => {
    for (const client of opened) client.destroy();
    await system?.stop();
  }, 120_000);

  it('routes every documented GuardDuty event at or above the threshold to the findings queue, and no other', async () => {
    // Prepare: an account with the queues and the three rules, and nothing consuming the queue
    const account = await isolatedAccount({ endpoint, region });
    const clients = emulatorClients({ endpoint, region, credentials: account.credentials });
    const events = eventBridgeClient(endpoint, region, account);
    opened.push(clients, events);
    const boot = await bootstrap({ prefix: 'ir', clients });
    await installRules(events, rules, boot.queues.findings.arn);
    const samples = GUARDDUTY_SAMPLES.map(guardDutySample);
    const differentType = {
      ...guardDutySample('guardduty-eventbridge-sample.json'),
      'detail-type': 'GuardDuty Malware Protection Object Scan Result',
    };

    // Act
    await putEvents(events, [...samples, differentType]);

    // Assess: exactly the GuardDuty findings of severity 7 or more, each once, as EventBridge sent them
    const routed = await findingIdsOn(clients, boot.queues.findings.url);
    const expected = samples.filter((event) => event.detail.severity >= 7).map((event) => event.detail.id);
    expect(rules.map((rule) => rule.name).sort()).toEqual([
      'ir-guardduty-findings',
      'ir-securityhub-findings',
      'ir-securityhub-v2-findings',
    ]);
    expect(expected.length).toBeGreaterThanOrEqual(6);
    expect(expected.length).toBeLessThan(samples.length);
    expect(routed).toEqual(expected.sort());
  });

  it('a GuardDuty finding put on the bus becomes an incident that isolates its instance', async () => {
    // Prepare: the whole system, and the rules in its account
    const account = await isolatedAccount({ endpoint, region });
    system = await startSystem({ endpoint, region, account });
    const events = eventBridgeClient(endpoint, region, account);
    opened.push(events);
    await installRules(events, rules, system.boot.queues.findings.arn);
    const instance = await createTargetInstance(system.clients);
    const finding = instanceFinding(instance, { accountId: system.accountId, region: system.region });

    // Act: the producer's side of EventBridge, not the findings queue
    await putEvents(events, [finding as unknown as BusEvent]);

    // Assess: an incident for that finding, its instance isolated as the coordinator recorded it
    const view = await waitForIncidentOf(system.api, String(finding.detail.id), (v) =>
      v.steps.some((step) => step.action === 'contain.ec2-instance' && step.status === 'succeeded'),
    );
    expect(view.incident.playbookId).toBe('ec2-compromise');
    expect(view.incident.findings.map((f) => f.id).join(' ')).toContain(String(finding.detail.id));
  }, 300_000);
});
