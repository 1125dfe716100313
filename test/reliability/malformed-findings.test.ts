/**
 * At least 1,000 malformed or mutated findings (truncated, wrong types, huge, deep nesting, unicode,
 * injection strings in names and tags) on the findings queue, and malformed envelopes on every worker
 * queue: no worker crashes (same process, healthy), and each message ends either accepted (an incident
 * holds it) or in its queue's DLQ with a reason. Nothing is lost.
 */
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { eventually, queueDepth } from '@ir/testkit';
import { describe, expect, it } from 'vitest';
import { bodyHash, drainDeadLetters, findingLedger, printCounts, sentFinding } from '../support/ledger.js';
import { malformedEnvelopes, mutatedFindings } from '../support/mutations.js';
import { scrapeMetrics, sumOf } from '../support/prometheus.js';
import { reliabilitySystem } from '../support/reliability-fixture.js';
import { useSystem } from '../support/suite.js';

const FINDINGS = Number(process.env.IR_RELIABILITY_MALFORMED ?? 1_000);
const ENVELOPES_PER_QUEUE = 25;

describe('malformed and mutated input', () => {
  const running = useSystem(() => reliabilitySystem());

  it(`${FINDINGS} mutated findings: none crashes detection; each is accepted or dead-lettered with a reason`, async () => {
    // Prepare
    const system = running();
    const mutations = mutatedFindings({
      count: FINDINGS,
      accountId: system.accountId,
      region: system.region,
      instanceId: 'i-0fuzz00000000000a',
    });
    const pid = system.pid('detection');
    const before = await scrapeMetrics(system.url('detection'));

    // Act
    await system.sendFindings(mutations.map((mutation) => mutation.body));
    await eventually(
      async () => (await queueDepth(system.clients.sqs, system.boot.queues.findings.url)) === 0,
      480_000,
      'the findings queue drained',
    );

    // Assess: every body, by its finding id (or its hash), is in an incident, coalesced into one,
    // suppressed, skipped, or in the DLQ with a reason
    const dead = await drainDeadLetters(system.clients.sqs, system.boot.queues.findings.dlqUrl);
    const after = await scrapeMetrics(system.url('detection'));
    const processed =
      sumOf(after, 'ir_messages_total', { queue: 'findings', outcome: 'processed' }) -
      sumOf(before, 'ir_messages_total', { queue: 'findings', outcome: 'processed' });
    const incidents = await Promise.all(
      (await system.api.list()).map((summary) => system.api.get(summary.incidentId)),
    );
    const ledger = findingLedger(
      mutations.map((mutation) => sentFinding(mutation.body)),
      { decisions: system.findingDecisions(), deadLetters: dead, incidents },
    );
    const sent = new Set(mutations.map((mutation) => bodyHash(mutation.body)));
    const deadSent = dead.filter((letter) => sent.has(bodyHash(letter.body)));
    const reasons = new Map<string, number>();
    for (const outcome of ledger.outcomes) {
      if (outcome?.kind === 'dead-lettered')
        reasons.set(outcome.reason, (reasons.get(outcome.reason) ?? 0) + 1);
    }
    printCounts('malformed findings', {
      injected: mutations.length,
      survived: mutations.length - ledger.lost.length,
      ...ledger.counts,
      processedMessages: processed,
      // A DLQ copy is sent before the original is deleted (so a failed delete never loses a
      // message): a delete that did not take effect under load leaves a second copy.
      deadLetterDuplicates: deadSent.length - ledger.counts['dead-lettered'],
      incidents: incidents.length,
      ...Object.fromEntries([...reasons].map(([reason, count]) => [`reason_${reason}`, count])),
    });
    expect(mutations.length).toBeGreaterThanOrEqual(FINDINGS);
    expect(reasons.get('none') ?? 0).toBe(0);
    expect(deadSent.every((letter) => (letter.detail ?? '').length > 0)).toBe(true);
    expect(ledger.lost).toEqual([]);
    expect(ledger.contradictions).toEqual([]);
    // Each accepted body was one processed message; the ledger's finding-level fates account for them.
    expect(mutations.length - ledger.counts['dead-lettered']).toBe(processed);
    expect(system.pid('detection')).toBe(pid);
    expect(await system.health()).toEqual([]);
    expect(system.unexpectedExits).toEqual([]);
  });

  it(`malformed envelopes on every worker queue: each is dead-lettered with a reason, no worker crashes`, async () => {
    // Prepare
    const system = running();
    const queues = (['coordinator', 'isolator', 'forensics', 'notifier'] as const).map((name) => ({
      name,
      queue: system.boot.queues[name],
    }));
    const envelopes = malformedEnvelopes(ENVELOPES_PER_QUEUE);

    // Act
    for (const { queue } of queues) {
      for (let start = 0; start < envelopes.length; start += 10) {
        await system.clients.sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: queue.url,
            Entries: envelopes.slice(start, start + 10).map((envelope, index) => ({
              Id: String(index),
              MessageBody: envelope.body,
            })),
          }),
        );
      }
    }

    // Assess: wait for each queue's DLQ to hold every envelope (the queues themselves may still be
    // busy with the incidents the accepted mutated findings opened)
    const sentHashes = new Set(envelopes.map((envelope) => bodyHash(envelope.body)));
    const counts: Record<string, number> = {};
    for (const { name, queue } of queues) {
      const dead: Awaited<ReturnType<typeof drainDeadLetters>> = [];
      await eventually(
        async () => {
          dead.push(...(await drainDeadLetters(system.clients.sqs, queue.dlqUrl, 1_000)));
          return dead.filter((letter) => sentHashes.has(bodyHash(letter.body))).length >= envelopes.length;
        },
        300_000,
        `${envelopes.length} envelopes in ${name}'s DLQ`,
      );
      const ours = dead.filter((letter) => sentHashes.has(bodyHash(letter.body)));
      counts[`deadLettered_${name}`] = ours.length;
      expect(ours.filter((letter) => !letter.reason)).toEqual([]);
      expect(ours).toHaveLength(envelopes.length);
    }
    const total = Object.values(counts).reduce((sum, count) => sum + count, 0);
    printCounts('malformed envelopes', {
      injected: envelopes.length * queues.length,
      survived: total,
      lost: envelopes.length * queues.length - total,
      ...counts,
    });
    expect(await system.health()).toEqual([]);
    expect(system.unexpectedExits).toEqual([]);
  });
});
