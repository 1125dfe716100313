import { LambdaClient, TagResourceCommand, UntagResourceCommand } from '@aws-sdk/client-lambda';
import { type StepHandler, succeeded } from '@ir/runtime';
import { jsonFromTags, jsonTagKeys, jsonToTags } from '../../aws/json-tags.js';
import { readBackUntilVerified } from '../../aws/read-back.js';
import { ContainmentRefusedError, IsolatorError, VerificationFailedError } from '../../errors.js';
import { parsePreState } from '../pre-state.js';
import {
  containmentProblems,
  describeFunction,
  isRunning,
  LambdaPreState,
  LambdaTag,
  type MappingState,
  mappingState,
  mappingsOf,
  reservedConcurrency,
  setMappingEnabled,
  setReservedConcurrency,
} from './function-state.js';

/** Lambda applies mapping changes asynchronously (`Disabling`, `Enabling`): look a few more times. */
const READ_BACK = { attempts: 8, delayMs: 750 } as const;

/**
 * `contain.lambda-function`: reserved concurrency 0 (no new invocation starts; the running ones
 * finish) and every event-source mapping of the function disabled, read back until Lambda shows both.
 * The pre-state (concurrency and the mappings that were enabled) is tagged on the function before any
 * change, so a repeat after a lost answer (TRAPS 24) reports the first run's record instead of the
 * contained state; a mapping that appeared since is added to that record. Another incident's
 * containment is refused: its record belongs to that incident's rollback.
 */
export function containLambdaFunction(): StepHandler<'contain.lambda-function'> {
  return async ({ functionName }, context) => {
    const lambda = await context.client(LambdaClient);
    const { functionArn, tags } = await describeFunction(lambda, functionName);
    const owner = tags[LambdaTag.containedBy];
    if (owner && owner !== context.incidentId) {
      throw new ContainmentRefusedError(
        `Lambda function ${functionName} was contained under incident ${owner}; roll that back or handle this incident there (a person must decide)`,
        { functionName, owner },
      );
    }
    const where = `Lambda function ${functionName}`;
    const recorded = owner ? jsonFromTags(LambdaTag.preStatePrefix, tags, LambdaPreState, where) : undefined;
    const concurrency = await reservedConcurrency(lambda, functionName);
    const mappings = await mappingsOf(lambda, functionArn);
    const running = mappings.filter((mapping) => isRunning(mapping.state)).map((mapping) => mapping.uuid);
    const preState: LambdaPreState = recorded
      ? {
          ...recorded,
          enabledMappings: [...new Set([...recorded.enabledMappings, ...running])].sort(),
        }
      : { functionName, functionArn, reservedConcurrency: concurrency, enabledMappings: running };
    const toDisable = mappings.filter(
      (mapping) => mapping.state !== 'Disabled' && mapping.state !== 'Disabling',
    );
    const record = jsonToTags(LambdaTag.preStatePrefix, preState);
    const recordChanged = !recorded || recorded.enabledMappings.length !== preState.enabledMappings.length;
    const changes = [
      ...(recordChanged ? [`tag ${where} with ${LambdaTag.containedBy} and its pre-state`] : []),
      ...(concurrency === 0
        ? []
        : [`set reserved concurrency of ${where} to 0 (was ${concurrency ?? 'unset'})`]),
      ...toDisable.map(
        (mapping) =>
          `disable event-source mapping ${mapping.uuid}${mapping.eventSourceArn ? ` (${mapping.eventSourceArn})` : ''} (was ${mapping.state})`,
      ),
    ];
    const result = { functionName, functionArn, alreadyContained: changes.length === 0 };

    if (context.dryRun) return succeeded({ ...result, dryRun: true, wouldChange: changes }, { preState });

    if (recordChanged) {
      // 50 tags per function: 20 for the record leaves room for the owner's. A function with so many
      // mappings that their ids do not fit is not contained half-way: a person decides.
      if (!record) {
        throw new IsolatorError(`the pre-state of ${where} does not fit in tags; contain it by hand`, {
          retryable: false,
          reason: 'pre-state-too-large',
          context: { functionName, mappings: preState.enabledMappings.length },
        });
      }
      await lambda.send(
        new TagResourceCommand({
          Resource: functionArn,
          Tags: { [LambdaTag.containedBy]: context.incidentId, ...record },
        }),
      );
    }
    if (concurrency !== 0) await setReservedConcurrency(lambda, functionName, 0);
    for (const mapping of toDisable) await setMappingEnabled(lambda, mapping.uuid, false);

    const verified = await readBackUntilVerified(
      async () => {
        const observed = {
          reservedConcurrency: await reservedConcurrency(lambda, functionName),
          mappings: await mappingsOf(lambda, functionArn),
        };
        return { observed, problems: containmentProblems(observed) };
      },
      { ...READ_BACK, signal: context.signal },
    );
    if (verified.problems.length > 0) {
      throw new VerificationFailedError(`containment of ${where}`, verified.problems, { functionName });
    }
    context.logger.info(
      { functionName, mappingsDisabled: toDisable.length, alreadyContained: result.alreadyContained },
      'lambda_function_contained',
    );
    return succeeded(
      { ...result, changes, mappingsDisabled: verified.observed.mappings.map((mapping) => mapping.uuid) },
      { preState, verified: verified.observed },
    );
  };
}

/**
 * `rollback.lambda-function`: puts the recorded reserved concurrency back (deletes it when none was
 * set) and re-enables exactly the mappings that were enabled; a mapping deleted meanwhile is reported,
 * not recreated. Reads both back, and only then removes this incident's tags, so a failed rollback can
 * be run again.
 */
export function rollbackLambdaFunction(): StepHandler<'rollback.lambda-function'> {
  return async (params, context) => {
    const original = parsePreState(LambdaPreState, params.preState, 'rollback.lambda-function');
    const { functionName } = original;
    const where = `Lambda function ${functionName}`;
    const lambda = await context.client(LambdaClient);
    const { functionArn, tags } = await describeFunction(lambda, functionName);
    const concurrency = await reservedConcurrency(lambda, functionName);
    const mappings = await Promise.all(original.enabledMappings.map((uuid) => mappingState(lambda, uuid)));
    const gone = original.enabledMappings.filter((_, i) => mappings[i] === undefined);
    const toEnable = mappings.filter(
      (mapping): mapping is MappingState => mapping !== undefined && !isRunning(mapping.state),
    );
    const tagKeys =
      tags[LambdaTag.containedBy] === context.incidentId
        ? [LambdaTag.containedBy, ...jsonTagKeys(LambdaTag.preStatePrefix, tags)]
        : [];
    const changes = [
      ...(concurrency === original.reservedConcurrency
        ? []
        : [
            original.reservedConcurrency === null
              ? `remove the reserved concurrency of ${where} (was ${concurrency})`
              : `set reserved concurrency of ${where} to ${original.reservedConcurrency} (was ${concurrency ?? 'unset'})`,
          ]),
      ...toEnable.map((mapping) => `enable event-source mapping ${mapping.uuid} (was ${mapping.state})`),
      ...(tagKeys.length > 0 ? [`remove tags ${tagKeys.join(', ')} from ${where}`] : []),
    ];
    const result = { functionName, mappingsGone: gone };
    if (context.dryRun) return succeeded({ ...result, dryRun: true, wouldChange: changes });

    if (concurrency !== original.reservedConcurrency) {
      await setReservedConcurrency(lambda, functionName, original.reservedConcurrency);
    }
    for (const mapping of toEnable) await setMappingEnabled(lambda, mapping.uuid, true);

    const verified = await readBackUntilVerified(
      async () => {
        const observed = {
          reservedConcurrency: await reservedConcurrency(lambda, functionName),
          mappings: (
            await Promise.all(original.enabledMappings.map((uuid) => mappingState(lambda, uuid)))
          ).filter((mapping): mapping is MappingState => mapping !== undefined),
        };
        const problems = [
          ...(observed.reservedConcurrency === original.reservedConcurrency
            ? []
            : [
                `reserved concurrency is ${observed.reservedConcurrency ?? 'unset'}, not ${original.reservedConcurrency ?? 'unset'}`,
              ]),
          ...observed.mappings
            .filter((mapping) => mapping.state !== 'Enabled')
            .map((mapping) => `event-source mapping ${mapping.uuid} is ${mapping.state}, not Enabled`),
        ];
        return { observed, problems };
      },
      { ...READ_BACK, signal: context.signal },
    );
    if (verified.problems.length > 0) {
      throw new VerificationFailedError(`rollback of ${where}`, verified.problems, { functionName });
    }
    if (tagKeys.length > 0) {
      await lambda.send(new UntagResourceCommand({ Resource: functionArn, TagKeys: tagKeys }));
    }
    context.logger.info({ functionName, mappingsEnabled: toEnable.length }, 'lambda_function_restored');
    return succeeded({ ...result, changes }, { verified: verified.observed });
  };
}
