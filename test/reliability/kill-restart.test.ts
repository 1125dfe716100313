/**
 * `kill -9` of each service in turn in the middle of incidents, then a restart: every incident
 * completes, nothing is contained twice, every service is healthy afterwards. Repeats
 * `IR_RELIABILITY_REPEAT` times per service (10 in `pnpm test:reliability`).
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
const FINDINGS_PER_ROUND = 2;

describe('services killed with SIGKILL mid-incident', () => {
  const running = useSystem(() => reliabilitySystem());

  for (const name of SERVICE_NAMES) {
    it(
      `${name}: killed ${REPEAT}× while incidents run, restarted; every incident completes`,
      async () => {
        const system = running();
        // This case's AWS calls only (the system, and its proxy, serve every case of the file).
        system.proxy.clearRecording();
        const findingIds: string[] = [];
        const sent: unknown[] = [];
        for (let round = 0; round < REPEAT; round++) {
          // Prepare
          const { findings, ids } = await findingsOnNewInstances(system, FINDINGS_PER_ROUND);
          findingIds.push(...ids);
          sent.push(...findings);

          // Act: kill somewhere in the middle of the incidents, restart at once
          await system.sendFindings(findings);
          await randomPause(300, 2_500);
          await system.kill(name);
          await system.start(name);
        }
        const views = await waitForIncidentsExplained(system, {
          count: findingIds.length,
          filter: (view) => findingsWithoutIncident(findingIds, [view]).length < findingIds.length,
          done: (view) => view.incident.status === 'completed',
          timeoutMs: 120_000 + REPEAT * 30_000,
        });

        // Assess: each finding by its id, and double containment from what reached AWS
        const dead = [
          ...(await drainDeadLetters(system.clients.sqs, system.boot.queues.findings.dlqUrl)),
          ...(await drainDeadLetters(system.clients.sqs, system.boot.queues.coordinator.dlqUrl)),
        ];
        const ledger = findingLedger(
          sent.map((finding) => sentFinding(JSON.stringify(finding))),
          { decisions: system.findingDecisions(), deadLetters: dead, incidents: views },
        );
        const containment = appliedContainment(system.proxy.recorded());
        const problems = await system.health();
        printCounts(`kill -9 ${name}`, {
          injected: REPEAT,
          survived: findingIds.length - ledger.lost.length,
          ...ledger.counts,
          deadLetters: dead.length,
          containingCalls: containment.applied,
          appliedTwice: containment.twice.length,
        });
        expect(ledger.lost).toEqual([]);
        expect(ledger.contradictions).toEqual([]);
        const summary = views.map(
          (view) =>
            `${view.incident.incidentId} ${view.incident.status} opened ${view.incident.openedAt} findings ${view.incident.findings.map((f) => f.id).join(',')}`,
        );
        expect(notOneIncidentEach(ledger, views), summary.join('\n')).toEqual([]);
        expect(dead).toEqual([]);
        // Containment happened, and no containing call reached AWS twice.
        expect(containment.applied).toBeGreaterThan(0);
        expect(containment.twice).toEqual([]);
        expect(problems).toEqual([]);
        expect(system.unexpectedExits).toEqual([]);
      },
      600_000 + REPEAT * 120_000,
    );
  }
});
