/**
 * 10% of AWS calls failing: every service talks to the emulator through a fault-injecting HTTP proxy
 * that answers one request in ten with throttling or a 503 in the request's own protocol. Each
 * finding must still end in an incident that completed, or that asks a person with a reason; nothing
 * is contained twice (counted from the calls that reached AWS); every service is healthy afterwards.
 */
import { describe, expect, it } from 'vitest';
import { findingsOnNewInstances } from '../support/findings.js';
import { waitForIncidentsExplained } from '../support/diagnostics.js';
import {
  appliedContainment,
  drainDeadLetters,
  findingLedger,
  findingsWithoutIncident,
  notOneIncidentEach,
  printCounts,
  sentFinding,
} from '../support/ledger.js';
import { reliabilityRepeat, reliabilitySystem } from '../support/reliability-fixture.js';
import { useSystem } from '../support/suite.js';

const FINDINGS = 4 * reliabilityRepeat();
const FAULT_RATE = 0.1;

describe('AWS calls failing 10% of the time (throttling and 5xx through a proxy)', () => {
  const running = useSystem(() => reliabilitySystem());

  it(`${FINDINGS} incidents complete or reach a person; none is lost or contained twice`, async () => {
    // Prepare
    const system = running();
    const { proxy } = system;
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

    // Assess: each finding by its id, and double containment from what reached AWS
    const counts = proxy.counts();
    const completed = views.filter((view) => view.incident.status === 'completed');
    const failedSteps = views.flatMap((view) => view.steps.filter((step) => step.status === 'failed'));
    const dead = (
      await Promise.all(
        Object.values(system.boot.queues).map((queue) => drainDeadLetters(system.clients.sqs, queue.dlqUrl)),
      )
    ).flat();
    const ledger = findingLedger(
      findings.map((finding) => sentFinding(JSON.stringify(finding))),
      { decisions: system.findingDecisions(), deadLetters: dead, incidents: views },
    );
    const containment = appliedContainment(proxy.recorded());
    printCounts(`AWS faults at ${FAULT_RATE * 100}%`, {
      injected: counts.injected,
      throttling: counts.byKind.throttling,
      unavailable: counts.byKind.unavailable,
      forwarded: counts.forwarded,
      survived: FINDINGS - ledger.lost.length,
      ...ledger.counts,
      completed: completed.length,
      needsAttention: views.length - completed.length,
      deadLetters: dead.length,
      containingCalls: containment.applied,
      appliedTwice: containment.twice.length,
    });
    expect(counts.injected).toBeGreaterThan(0);
    expect(ledger.lost).toEqual([]);
    expect(ledger.contradictions).toEqual([]);
    expect(notOneIncidentEach(ledger, views)).toEqual([]);
    expect(failedSteps.filter((step) => !step.failure?.reason)).toEqual([]);
    expect(dead.filter((letter) => !letter.reason)).toEqual([]);
    // Containment happened, and no containing call reached AWS twice.
    expect(containment.applied).toBeGreaterThan(0);
    expect(containment.twice).toEqual([]);
    expect(await system.health()).toEqual([]);
    expect(system.unexpectedExits).toEqual([]);
  });
});
