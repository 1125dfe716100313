/**
 * `kill -9` of each service in turn in the middle of incidents, then a restart: every incident
 * completes, nothing is contained twice, every service is healthy afterwards. Repeats
 * `IR_RELIABILITY_REPEAT` times per service (10 in `pnpm test:reliability`).
 */
import { SERVICE_NAMES } from '@ir/testkit';
import { describe, expect, it } from 'vitest';
import { findingsOnNewInstances } from '../support/findings.js';
import { waitForIncidentsExplained } from '../support/diagnostics.js';
import { containedTwice, drainDeadLetters, findingsWithoutIncident, printCounts } from '../support/ledger.js';
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
        const findingIds: string[] = [];
        for (let round = 0; round < REPEAT; round++) {
          // Prepare
          const { findings, ids } = await findingsOnNewInstances(system, FINDINGS_PER_ROUND);
          findingIds.push(...ids);

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

        // Assess
        const lost = findingsWithoutIncident(findingIds, views);
        const dead = [
          ...(await drainDeadLetters(system.clients.sqs, system.boot.queues.findings.dlqUrl)),
          ...(await drainDeadLetters(system.clients.sqs, system.boot.queues.coordinator.dlqUrl)),
        ];
        const twice = containedTwice(views);
        const problems = await system.health();
        printCounts(`kill -9 ${name}`, {
          injected: REPEAT,
          survived: findingIds.length - lost.length,
          lost: lost.length,
          incidents: views.length,
          deadLettered: dead.length,
          containedTwice: twice.length,
        });
        expect(lost).toEqual([]);
        const summary = views.map(
          (view) =>
            `${view.incident.incidentId} ${view.incident.status} opened ${view.incident.openedAt} findings ${view.incident.findings.map((f) => f.id).join(',')}`,
        );
        expect(summary, summary.join('\n')).toHaveLength(findingIds.length);
        expect(dead).toEqual([]);
        expect(twice).toEqual([]);
        expect(problems).toEqual([]);
        expect(system.unexpectedExits).toEqual([]);
      },
      600_000 + REPEAT * 120_000,
    );
  }
});
