import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Finding, MessageOf, NativeFindingInput } from '@ir/contracts';
import {
  eventually,
  findingTypes,
  guardDutyEventBridgeFinding,
  nativeFinding,
  queueDepth,
} from '@ir/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DetectionService } from '../../src/service.js';
import { type CompiledRule, compileRule } from '../../src/suppression/matchers.js';
import { parseSuppressionRules } from '../../src/suppression/rules-file.js';
import { type DetectionFixture, detectionFixture } from './harness.js';

const RULES = `
rules:
  - name: scanner-ips
    reason: The security team's weekly scan from the scanner subnet
    match:
      remoteIpCidrs: [203.0.113.0/24, "2001:db8:5ca::/48"]
  - name: low-severity
    reason: LOW findings are reviewed in the weekly report, not paged
    match:
      severityBelow: MEDIUM
  - name: sandbox-account
    reason: Red-team sandbox account
    match:
      accounts: ["111122223333"]
  - name: lab-region
    reason: The lab region is torn down nightly
    match:
      regions: [ap-southeast-2]
  - name: tagged-honeypot
    reason: Honeypots are meant to be attacked
    match:
      resourceTags: { Role: honeypot }
  - name: pipeline-role
    reason: The deployment pipeline calls from CI runners outside AWS
    match:
      principalArns: "arn:aws:iam::*:role/deploy-pipeline"
  - name: bitcoin-lab
    reason: Mining research instance
    match:
      findingTypes: "CryptoCurrency:EC2/*"
  - name: expired-backdoor-exception
    reason: Old exception that must no longer apply
    expiresAt: 2020-01-01
    match:
      findingTypes: "Backdoor:*"
`;

/** Waits until `outcome` has been counted `count` times and the findings queue is drained. */
async function counted(fixture: DetectionFixture, service: DetectionService, outcome: string, count: number) {
  await eventually(async () => (await fixture.findingsCounted([service], outcome)) >= count);
  await eventually(
    async () => (await queueDepth(fixture.clients.sqs, fixture.system.queues.findings.url)) === 0,
  );
}

async function suppressionsOf(service: DetectionService): Promise<Record<string, number>> {
  const metric = await service.metrics.suppressionsTotal.get();
  return Object.fromEntries(metric.values.map((value) => [String(value.labels.rule), value.value]));
}

describe('detection service, suppression rules from IR_SUPPRESSIONS_FILE', () => {
  let fixture: DetectionFixture;
  let service: DetectionService;
  beforeAll(async () => {
    fixture = await detectionFixture();
    const dir = await mkdtemp(join(tmpdir(), 'ir-detection-'));
    const file = join(dir, 'suppressions.yaml');
    await writeFile(file, RULES);
    service = await fixture.start({ IR_SUPPRESSIONS_FILE: file });
  });
  afterAll(async () => {
    await fixture.stop();
  });

  it('suppresses by each match kind, counting and logging each rule by name', async () => {
    // Prepare
    const honeypot: NativeFindingInput = nativeFinding({
      resource: { kind: 'instance', instanceId: 'i-0h0000000000000001' },
    });
    const honeypotResource = honeypot.resources[0];
    if (honeypotResource?.kind === 'ec2-instance') honeypotResource.tags = { Role: 'honeypot', Team: 'sec' };
    const bodies = [
      guardDutyEventBridgeFinding({ type: findingTypes.portProbe, remoteIp: '203.0.113.77' }),
      guardDutyEventBridgeFinding({ severity: 2 }),
      guardDutyEventBridgeFinding({ accountId: '111122223333' }),
      nativeFinding({ region: 'ap-southeast-2' }),
      honeypot,
      guardDutyEventBridgeFinding({
        type: findingTypes.credentialExfiltration,
        resource: { kind: 'access-key', userType: 'AssumedRole', userName: 'deploy-pipeline' },
      }),
      guardDutyEventBridgeFinding({ type: findingTypes.bitcoinDns }),
    ].map((finding) => JSON.stringify(finding));
    // Act
    await fixture.sendFindings(bodies);
    await counted(fixture, service, 'suppressed', bodies.length);
    // Assess
    expect(await suppressionsOf(service)).toEqual({
      'scanner-ips': 1,
      'low-severity': 1,
      'sandbox-account': 1,
      'lab-region': 1,
      'tagged-honeypot': 1,
      'pipeline-role': 1,
      'bitcoin-lab': 1,
    });
    expect(await queueDepth(fixture.clients.sqs, fixture.system.queues.coordinator.url)).toBe(0);
    expect((await fixture.tableItems()).filter((item) => String(item.pk).startsWith('RESOURCE#'))).toEqual(
      [],
    );
    const logged = fixture.lines.filter((line) => line.msg === 'finding_suppressed').map((line) => line.rule);
    expect(logged.sort()).toEqual(Object.keys(await suppressionsOf(service)).sort());
  });

  it('does not suppress with an expired rule, nor when only some remote IPs are the scanner', async () => {
    // Prepare
    const backdoor = guardDutyEventBridgeFinding({
      resource: { kind: 'instance', instanceId: 'i-0ex00000000000001' },
    });
    const mixed = nativeFinding({
      type: findingTypes.portProbe,
      resource: { kind: 'instance', instanceId: 'i-0ex00000000000002' },
    });
    mixed.network = { remoteIps: [{ ip: '203.0.113.9' }, { ip: '198.51.100.200' }], direction: 'inbound' };
    const suppressedBefore = await fixture.findingsCounted([service], 'suppressed');
    // Act
    await fixture.sendFindings([JSON.stringify(backdoor), JSON.stringify(mixed)]);
    const messages = await fixture.coordinatorMessages(2);
    // Assess
    expect(messages.map((message) => message.type)).toEqual(['incident.opened', 'incident.opened']);
    expect(
      messages.map((message) => (message as MessageOf<'incident.opened'>).payload.finding.id).sort(),
    ).toEqual([String(backdoor.detail.id), mixed.id].sort());
    expect(await fixture.findingsCounted([service], 'suppressed')).toBe(suppressedBefore);
    expect(
      fixture.lines.some(
        (line) => line.msg === 'suppression_rule_expired' && line.rule === 'expired-backdoor-exception',
      ),
    ).toBe(true);
  });
});

describe('detection service, a suppression rule that throws', () => {
  let fixture: DetectionFixture;
  let service: DetectionService;
  beforeAll(async () => {
    fixture = await detectionFixture();
    // A rule whose matcher fails on one finding type, standing in for a bug or unforeseen input.
    const broken: CompiledRule = {
      name: 'broken-rule',
      reason: 'throws on Trojan findings',
      matches: (finding: Finding) => {
        if (finding.type.startsWith('Trojan:')) throw new TypeError('cannot read properties of undefined');
        return false;
      },
    };
    const rules = parseSuppressionRules(RULES, 'inline').map(compileRule);
    service = await fixture.start({}, { suppressionRules: [broken, ...rules] });
  });
  afterAll(async () => {
    await fixture.stop();
  });

  it('opens the incident flagged suppressionUnevaluated instead of dropping the finding', async () => {
    // Prepare: a finding that a later rule (low-severity) would suppress if the first had not thrown.
    const finding = guardDutyEventBridgeFinding({ type: 'Trojan:EC2/DropPoint', severity: 2 });
    // Act
    await fixture.sendFindings([JSON.stringify(finding)]);
    const [message] = await fixture.coordinatorMessages(1);
    // Assess
    const opened = message as MessageOf<'incident.opened'>;
    expect(opened.type).toBe('incident.opened');
    expect(opened.payload.flags).toEqual({ suppressionUnevaluated: true });
    expect(opened.payload.finding.id).toBe(finding.detail.id);
    const errors = await service.metrics.suppressionErrorsTotal.get();
    expect(errors.values).toEqual([expect.objectContaining({ labels: { rule: 'broken-rule' }, value: 1 })]);
    expect(await fixture.findingsCounted([service], 'suppressed')).toBe(0);
    expect(
      fixture.lines.some(
        (line) => line.msg === 'suppression_evaluation_failed' && line.rule === 'broken-rule',
      ),
    ).toBe(true);
  });
});
