import {
  GetEventSourceMappingCommand,
  GetFunctionConcurrencyCommand,
  type LambdaClient,
  ListTagsCommand,
} from '@aws-sdk/client-lambda';
import { createLambdaFunction, uniqueName } from '@ir/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failed, isolatorFixture, succeeded } from './harness.js';

type Fixture = Awaited<ReturnType<typeof isolatorFixture>>;

/** What the isolator changes on a function, read back from the emulator. */
async function readFunction(
  lambda: LambdaClient,
  fn: { functionName: string; functionArn: string; mappingIds: readonly string[] },
) {
  const concurrency = await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: fn.functionName }));
  const mappings = await Promise.all(
    fn.mappingIds.map(async (UUID) => (await lambda.send(new GetEventSourceMappingCommand({ UUID }))).State),
  );
  const tags = (await lambda.send(new ListTagsCommand({ Resource: fn.functionArn }))).Tags ?? {};
  return {
    reservedConcurrency: concurrency.ReservedConcurrentExecutions ?? null,
    mappings,
    irTags: Object.keys(tags)
      .filter((key) => key.startsWith('ir'))
      .sort(),
    tags,
  };
}

describe('contain.lambda-function and rollback.lambda-function (on the emulator)', () => {
  let fixture: Fixture;
  let lambda: LambdaClient;
  beforeAll(async () => {
    fixture = await isolatorFixture();
    lambda = fixture.clients.lambda;
  });
  afterAll(async () => {
    await fixture.stop();
  });

  const make = (options: { reservedConcurrency?: number; mappings?: { enabled: boolean }[] } = {}) =>
    createLambdaFunction({
      clients: { ...fixture.clients, lambda },
      region: fixture.region,
      functionName: uniqueName('ir-fn'),
      tags: { team: 'billing' },
      ...options,
    });

  it('stops the function (concurrency 0, enabled mappings disabled); twice is the same; rollback restores exactly what was enabled', async () => {
    // Prepare
    const fn = await make({
      reservedConcurrency: 7,
      mappings: [{ enabled: true }, { enabled: false }, { enabled: true }],
    });
    const before = await readFunction(lambda, fn);
    // Act
    const first = succeeded(
      await fixture.runStep('contain.lambda-function', { functionName: fn.functionName }),
    );
    const contained = await readFunction(lambda, fn);
    const second = succeeded(
      await fixture.runStep('contain.lambda-function', { functionName: fn.functionName }),
    );
    const rollback = succeeded(
      await fixture.runStep('rollback.lambda-function', {
        originalStepId: first.stepId,
        preState: first.preState ?? {},
      }),
    );
    const restored = await readFunction(lambda, fn);
    const again = succeeded(
      await fixture.runStep('rollback.lambda-function', {
        originalStepId: first.stepId,
        preState: first.preState ?? {},
      }),
    );
    // Assess
    expect(before).toMatchObject({ reservedConcurrency: 7, mappings: ['Enabled', 'Disabled', 'Enabled'] });
    expect(contained).toMatchObject({
      reservedConcurrency: 0,
      mappings: ['Disabled', 'Disabled', 'Disabled'],
    });
    expect(contained.irTags).toContain('ir-record:lambda-contained-by');
    expect(first.preState).toEqual({
      functionName: fn.functionName,
      functionArn: fn.functionArn,
      reservedConcurrency: 7,
      enabledMappings: [fn.mappingIds[0], fn.mappingIds[2]].sort(),
    });
    expect(second.preState).toEqual(first.preState);
    expect(second.result).toMatchObject({ alreadyContained: true, changes: [] });
    expect(restored).toEqual({ ...before, irTags: [] });
    expect(rollback.result.changes).toHaveLength(4);
    expect(again.result.changes).toEqual([]);
  });

  it('deletes the reserved concurrency on rollback when the function had none', async () => {
    // Prepare
    const fn = await make({ mappings: [{ enabled: true }] });
    // Act
    const contain = succeeded(
      await fixture.runStep('contain.lambda-function', { functionName: fn.functionName }),
    );
    const contained = await readFunction(lambda, fn);
    succeeded(
      await fixture.runStep('rollback.lambda-function', {
        originalStepId: contain.stepId,
        preState: contain.preState ?? {},
      }),
    );
    const restored = await readFunction(lambda, fn);
    // Assess
    expect(contain.preState).toMatchObject({ reservedConcurrency: null });
    expect(contained.reservedConcurrency).toBe(0);
    expect(restored).toMatchObject({ reservedConcurrency: null, mappings: ['Enabled'], irTags: [] });
  });

  it('changes nothing in dry-run, for the containment and for a rollback of a real one', async () => {
    // Prepare
    const fn = await make({ reservedConcurrency: 3, mappings: [{ enabled: true }] });
    const before = await readFunction(lambda, fn);
    // Act
    const dry = succeeded(
      await fixture.runStep('contain.lambda-function', { functionName: fn.functionName }, { dryRun: true }),
    );
    const afterDry = await readFunction(lambda, fn);
    const real = succeeded(
      await fixture.runStep('contain.lambda-function', { functionName: fn.functionName }),
    );
    const contained = await readFunction(lambda, fn);
    const dryRollback = succeeded(
      await fixture.runStep(
        'rollback.lambda-function',
        { originalStepId: real.stepId, preState: real.preState ?? {} },
        { dryRun: true },
      ),
    );
    const afterDryRollback = await readFunction(lambda, fn);
    // Assess
    expect(afterDry).toEqual(before);
    expect(dry.result.wouldChange).toHaveLength(3);
    expect(afterDryRollback).toEqual(contained);
    expect(dryRollback.result.wouldChange).toHaveLength(3);
  });

  it('refuses a function contained under another incident, a missing function, and a malformed pre-state', async () => {
    // Prepare
    const fn = await make();
    succeeded(await fixture.runStep('contain.lambda-function', { functionName: fn.functionName }));
    // Act
    const other = failed(
      await fixture.runStep(
        'contain.lambda-function',
        { functionName: fn.functionName },
        { incidentId: 'inc-other' },
      ),
    );
    const missing = failed(
      await fixture.runStep('contain.lambda-function', { functionName: 'ir-no-such-fn' }),
    );
    const malformed = failed(
      await fixture.runStep('rollback.lambda-function', {
        originalStepId: 'step-1',
        preState: { functionName: fn.functionName },
      }),
    );
    // Assess
    expect(other).toMatchObject({ errorName: 'ContainmentRefusedError' });
    expect(JSON.stringify(other)).toContain('inc-test-1');
    expect(missing).toMatchObject({ errorName: 'ResourceNotFoundError' });
    expect(malformed).toMatchObject({ errorName: 'InvalidPreStateError' });
    expect((await readFunction(lambda, fn)).tags['ir-record:lambda-contained-by']).toBe('inc-test-1');
  });
});
