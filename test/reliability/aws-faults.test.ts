/**
 * 10% of AWS calls failing: every service talks to the emulator through a fault-injecting HTTP proxy
 * that answers one request in ten with throttling or a 503 in the request's own protocol. Each
 * finding must still end in an incident that completed, or that asks a person with a reason; nothing
 * is contained twice; every service is healthy afterwards.
 */
import { isolatedAccount } from '@ir/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy.js';
import { findingsOnNewInstances } from '../support/findings.js';
import { waitForIncidentsExplained } from '../support/diagnostics.js';
import { containedTwice, drainDeadLetters, findingsWithoutIncident, printCounts } from '../support/ledger.js';
import { FAULT_TUNING, reliabilityRepeat } from '../support/reliability-fixture.js';
import { type RunningSystem, startSystem } from '../support/system.js';

const FINDINGS = 4 * reliabilityRepeat();
const FAULT_RATE = 0.1;

describe('AWS calls failing 10% of the time (throttling and 5xx through a proxy)', () => {
  let proxy: FaultProxy;
  let system: RunningSystem;
  beforeAll(async () => {
    const endpoint = inject('awsEndpoint');
    const region = process.env.AWS_REGION ?? 'us-east-1';
    proxy = await startFaultProxy({ upstream: endpoint });
    system = await startSystem({
      endpoint,
      serviceEndpoint: proxy.url,
      region,
      account: await isolatedAccount({ endpoint, region }),
      env: FAULT_TUNING,
    });
  }, 300_000);
  afterAll(async () => {
    await system?.stop();
    await proxy?.stop();
  }, 120_000);

  it(`${FINDINGS} incidents complete or reach a person; none is lost or contained twice`, async () => {
    // Prepare
    const { findings, ids: findingIds } = await findingsOnNewInstances(system, FINDINGS);

    // Act
    proxy.setFaultRate(FAULT_RATE);
    await system.sendFindings(findings);
    const views = await waitForIncidentsExplained(system, {
      count: FINDINGS,
      filter: (view) => findingsWithoutIncident(findingIds, [view]).length < FINDINGS,
      done: (view) => ['completed', 'needs-attention'].includes(view.incident.status),
      timeoutMs: 300_000,
    });
    proxy.setFaultRate(0);

    // Assess
    const counts = proxy.counts();
    const lost = findingsWithoutIncident(findingIds, views);
    const completed = views.filter((view) => view.incident.status === 'completed');
    const failedSteps = views.flatMap((view) => view.steps.filter((step) => step.status === 'failed'));
    const dead = (
      await Promise.all(
        Object.values(system.boot.queues).map((queue) => drainDeadLetters(system.clients.sqs, queue.dlqUrl)),
      )
    ).flat();
    printCounts(`AWS faults at ${FAULT_RATE * 100}%`, {
      injected: counts.injected,
      throttling: counts.byKind.throttling,
      unavailable: counts.byKind.unavailable,
      forwarded: counts.forwarded,
      survived: completed.length,
      needsAttention: views.length - completed.length,
      lost: lost.length,
      deadLettered: dead.length,
    });
    expect(counts.injected).toBeGreaterThan(0);
    expect(lost).toEqual([]);
    expect(failedSteps.filter((step) => !step.failure?.reason)).toEqual([]);
    expect(dead.filter((letter) => !letter.reason)).toEqual([]);
    expect(containedTwice(views)).toEqual([]);
    expect(await system.health()).toEqual([]);
    expect(system.unexpectedExits).toEqual([]);
  });
});
