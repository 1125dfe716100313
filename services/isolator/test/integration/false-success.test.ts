/**
 * TRAPS 16, false success: the fault proxy answers each containment's principal mutating call with
 * the protocol's empty success and never forwards it. Only the read-back can tell, so each step must
 * fail (never report contained) with a reason naming what the read-back found, and the resource must
 * be as it was. The test reads the emulator directly, never through the proxy.
 */
import { describe, expect, it } from 'vitest';
import { failed } from './harness.js';
import { containmentCases, useProxiedIsolator } from './lost-answer-cases.js';

describe('isolator containments told "done" for a call that never happened (through the fault proxy)', () => {
  const isolator = useProxiedIsolator();

  it.each(containmentCases.map((c) => [c.action, c] as const))(
    '%s: the step fails naming what the read-back found, and the resource is unchanged',
    async (_action, c) => {
      // Prepare
      const target = await c.prepare(isolator.fixture, isolator.clients);
      const before = await target.read();
      isolator.proxy.setRules(
        c.writes.map((write) => ({ ...write, mode: 'false-success', times: Number.POSITIVE_INFINITY })),
      );

      // Act
      const answer = await isolator.fixture.runStep(c.action, target.params as never);

      // Assess
      const faked = new Set(isolator.proxy.ruleHits().map((hit) => hit.operation));
      isolator.proxy.setRules([]);
      expect(c.writes.filter((write) => faked.has(write.operation))).not.toEqual([]);
      const failure = failed(answer);
      expect(failure.reason).toMatch(c.falseSuccessReason);
      expect(JSON.stringify(failure)).not.toMatch(/"contained"/);
      const principal = c.principal ?? ((state: unknown) => state);
      expect(principal(await target.read())).toEqual(principal(before));
    },
  );
});
