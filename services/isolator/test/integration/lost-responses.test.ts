/**
 * TRAPS 24, applied then lost: each containment and each rollback with its mutating calls' answers
 * lost after the emulator applied them (a 500 the SDK retries, or a connection dropped), through the
 * fault proxy between the isolator and the emulator. Each must still succeed and leave exactly the
 * state a clean run leaves: one isolation group, one quarantine policy, one NACL entry each way…
 * The test reads the emulator directly, never through the proxy.
 */
import { ListObjectVersionsCommand } from '@aws-sdk/client-s3';
import { createS3Object, EICAR_TEST_FILE, uniqueName } from '@ir/testkit';
import { describe, expect, it } from 'vitest';
import type { FaultRuleMode } from '../../../../test/support/fault-proxy.js';
import { storeEvidence } from './evidence-copy.js';
import { succeeded } from './harness.js';
import { containmentCases, type Write, useProxiedIsolator } from './lost-answer-cases.js';

const modes: readonly Exclude<FaultRuleMode, 'false-success'>[] = ['applied-then-500', 'applied-then-drop'];

describe('isolator actions when AWS applied a call and its answer was lost (through the fault proxy)', () => {
  const isolator = useProxiedIsolator();

  /** Loses the first answer of each call in `writes`, and checks afterwards that each was lost. */
  function loseAnswers(writes: readonly Write[], mode: FaultRuleMode) {
    isolator.proxy.setRules(writes.map((write) => ({ ...write, mode, times: 1 })));
    return () => {
      const lost = new Set(isolator.proxy.ruleHits().map((hit) => hit.operation));
      isolator.proxy.setRules([]);
      return writes.filter((write) => !lost.has(write.operation)).map((write) => write.operation);
    };
  }

  const table = containmentCases.flatMap((c) => modes.map((mode) => [c.action, mode, c] as const));

  it.each(table)('%s, %s: converges on one containment, and its rollback too', async (_action, mode, c) => {
    // Prepare
    const target = await c.prepare(isolator.fixture, isolator.clients);
    const before = await target.read();
    const notLost = loseAnswers([...c.writes, ...(c.alsoLost ?? [])], mode);

    // Act
    const answer = await isolator.fixture.runStep(c.action, target.params as never);

    // Assess: every principal write's answer was really lost, and the step converged anyway
    const missed = notLost();
    const contained = succeeded(answer);
    expect(missed.filter((operation) => c.writes.some((write) => write.operation === operation))).toEqual([]);
    await c.contained(await target.read(), isolator.fixture);
    if (!c.rollback) return;

    // Act: the rollback, its answers lost the same way
    const notLostBack = loseAnswers(c.rollback.writes, mode);
    const rolledBack = await isolator.fixture.runStep(c.rollback.action, {
      originalStepId: contained.stepId,
      preState: contained.preState ?? {},
    } as never);

    // Assess
    expect(notLostBack()).not.toEqual(c.rollback.writes.map((write) => write.operation));
    succeeded(rolledBack);
    const restored = c.restored ?? ((state: unknown) => state);
    expect(restored(await target.read())).toEqual(restored(before));
  });

  it('contain.s3-object-delete without a version, every answer of its delete lost: the step again reports that version deleted and deletes no other', async () => {
    // Prepare: the flagged (current) version over an earlier clean upload, its copy in evidence
    const object = await createS3Object({
      s3: isolator.fixture.clients.s3,
      body: 'an earlier, clean upload',
      laterBodies: [EICAR_TEST_FILE],
    });
    const flagged = object.laterVersionIds[0] ?? '';
    const prefix = `incidents/inc-test-1/${uniqueName('copy')}`;
    await storeEvidence(isolator.fixture, { ...object, versionId: flagged, eTag: '' }, prefix);
    const params = { bucketName: object.bucketName, key: object.key };
    isolator.proxy.setRules([
      { operation: 'DeleteObject', mode: 'applied-then-500', times: Number.POSITIVE_INFINITY },
    ]);

    // Act: the first run's delete is applied but every answer to it lost; then the step again, as a
    // redelivery after the SDK gave up would run it (without a version: "the current version")
    await isolator.fixture.runStep('contain.s3-object-delete', params);
    const lost = isolator.proxy.ruleHits().filter((hit) => hit.operation === 'DeleteObject');
    isolator.proxy.setRules([]);
    const again = succeeded(await isolator.fixture.runStep('contain.s3-object-delete', params));

    // Assess: the flagged version is reported deleted, and the earlier one, now current, is still there
    expect(lost.length).toBeGreaterThan(0);
    expect(again.result).toMatchObject({ versionId: flagged, alreadyDeleted: true });
    const versions = await isolator.fixture.clients.s3.send(
      new ListObjectVersionsCommand({ Bucket: object.bucketName, Prefix: object.key }),
    );
    expect((versions.Versions ?? []).map((version) => version.VersionId)).toEqual([object.versionId]);
  });
});
