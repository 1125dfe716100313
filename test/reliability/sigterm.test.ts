/**
 * SIGTERM during load: each service is stopped gracefully while incidents are in flight and started
 * again; in-flight work finishes (exit code 0), nothing is lost, nothing is dead-lettered.
 */
import { SERVICE_NAMES } from '@ir/testkit';
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
import { randomPause, reliabilityRepeat, reliabilitySystem } from '../support/reliability-fixture.js';
import { useSystem } from '../support/suite.js';

const REPEAT = reliabilityRepeat();
const FINDINGS = 8;

describe('services stopped with SIGTERM under load', () => {
  const running = useSystem(() => reliabilitySystem());

  it(`each service in turn, ${REPEAT}× over: exits 0 after its in-flight work, restarts, nothing is lost`, async () => {
    const system = running();
    const findingIds: string[] = [];
    const sent: unknown[] = [];
    const exitCodes: (number | null)[] = [];
    for (let round = 0; round < REPEAT; round++) {
      // Prepare
      const { findings, ids } = await findingsOnNewInstances(system, FINDINGS);
      findingIds.push(...ids);
      sent.push(...findings);

      // Act: load, then every service stopped gracefully and restarted while it lasts
      await system.sendFindings(findings);
      for (const name of SERVICE_NAMES) {
        await randomPause(200, 1_000);
        exitCodes.push(await system.terminate(name));
        await system.start(name);
      }
    }
    const views = await waitForIncidentsExplained(system, {
      count: findingIds.length,
      filter: (view) => findingsWithoutIncident(findingIds, [view]).length < findingIds.length,
      done: (view) => view.incident.status === 'completed',
      timeoutMs: 180_000 + REPEAT * 30_000,
    });

    // Assess: each finding by its id, and double containment from what reached AWS
    const dead = (
      await Promise.all(
        Object.values(system.boot.queues).map((queue) => drainDeadLetters(system.clients.sqs, queue.dlqUrl)),
      )
    ).flat();
    const ledger = findingLedger(
      sent.map((finding) => sentFinding(JSON.stringify(finding))),
      { decisions: system.findingDecisions(), deadLetters: dead, incidents: views },
    );
    const containment = appliedContainment(system.proxy.recorded());
    printCounts('SIGTERM under load', {
      injected: exitCodes.length,
      survived: findingIds.length - ledger.lost.length,
      ...ledger.counts,
      cleanExits: exitCodes.filter((code) => code === 0).length,
      deadLetters: dead.length,
      containingCalls: containment.applied,
      appliedTwice: containment.twice.length,
    });
    expect(exitCodes.every((code) => code === 0)).toBe(true);
    expect(ledger.lost).toEqual([]);
    expect(ledger.contradictions).toEqual([]);
    expect(notOneIncidentEach(ledger, views)).toEqual([]);
    expect(dead.map((letter) => letter.reason)).toEqual([]);
    // Containment happened, and no containing call reached AWS twice.
    expect(containment.applied).toBeGreaterThan(0);
    expect(containment.twice).toEqual([]);
    expect(await system.health()).toEqual([]);
    expect(system.unexpectedExits).toEqual([]);
  });
});
