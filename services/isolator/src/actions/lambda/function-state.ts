import {
  DeleteFunctionConcurrencyCommand,
  GetEventSourceMappingCommand,
  GetFunctionConcurrencyCommand,
  GetFunctionConfigurationCommand,
  type LambdaClient,
  ListTagsCommand,
  PutFunctionConcurrencyCommand,
  paginateListEventSourceMappings,
  UpdateEventSourceMappingCommand,
} from '@aws-sdk/client-lambda';
import { unqualifiedFunctionArn } from '@ir/contracts';
import { z } from 'zod';
import { hasErrorCode, ResourceNotFoundError } from '../../errors.js';

/**
 * Reads and writes of a Lambda function's run state: its reserved concurrency and its event-source
 * mappings. Lambda has no `DryRun`, so a dry-run makes none of the writes here (the handlers decide).
 */

/**
 * Tags the isolator keeps on a contained function (TRAPS 24: workers hold no state of their own).
 * Record keys (`ir-record:*`), not `ir:*`: no IAM condition trusts them, so the right to write them on
 * an existing function gives nobody anything (TRAPS 21).
 */
export const LambdaTag = {
  /** The incident whose containment stopped the function. */
  containedBy: 'ir-record:lambda-contained-by',
  /** The pre-state JSON, `ir-record:lambda-pre-state-0…n`. */
  preStatePrefix: 'ir-record:lambda-pre-state-',
} as const;

/**
 * What `contain.lambda-function` replaces: the reserved concurrency (`null` = none was set, so the
 * rollback deletes it rather than setting a number) and the mappings that were enabled (the rollback
 * re-enables exactly these; a mapping that was already disabled stays disabled).
 */
export const LambdaPreState = z.object({
  functionName: z.string().min(1),
  functionArn: z.string().startsWith('arn:'),
  reservedConcurrency: z.number().int().min(0).nullable(),
  enabledMappings: z.array(z.string().min(1)),
});
/** @see LambdaPreState */
export type LambdaPreState = z.infer<typeof LambdaPreState>;

/** One event-source mapping of the function as Lambda reports it. */
export interface MappingState {
  readonly uuid: string;
  readonly state: string;
  readonly eventSourceArn?: string | undefined;
}

/**
 * Mapping states in which the mapping reads (or is about to read) its source. `Creating` and
 * `Updating` count: their outcome may be enabled, so containment disables them too.
 */
const RUNNING_STATES: ReadonlySet<string> = new Set(['Enabled', 'Enabling', 'Creating', 'Updating']);

/** Whether a mapping in this state may still invoke the function. */
export function isRunning(state: string): boolean {
  return RUNNING_STATES.has(state);
}

/** The function's unqualified ARN and tags; a missing function is a named, permanent failure. */
export async function describeFunction(
  lambda: LambdaClient,
  functionName: string,
): Promise<{ functionArn: string; tags: Record<string, string> }> {
  try {
    const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
    if (!config.FunctionArn) {
      throw new ResourceNotFoundError(`function ${functionName} has no ARN`, { functionName });
    }
    // Tags, concurrency and mappings belong to the function, not to a version of it.
    const functionArn = unqualifiedFunctionArn(config.FunctionArn);
    // ListTags, not GetFunction's Tags: Lambda returns those only to callers allowed lambda:ListTags anyway.
    const tags = (await lambda.send(new ListTagsCommand({ Resource: functionArn }))).Tags ?? {};
    return { functionArn, tags };
  } catch (error: unknown) {
    if (hasErrorCode(error, 'ResourceNotFoundException')) {
      throw new ResourceNotFoundError(`Lambda function ${functionName} not found`, { functionName });
    }
    throw error;
  }
}

/** The reserved concurrency, or null when none is set (the function draws on the account's pool). */
export async function reservedConcurrency(
  lambda: LambdaClient,
  functionName: string,
): Promise<number | null> {
  const output = await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: functionName }));
  return output.ReservedConcurrentExecutions ?? null;
}

/** Sets the reserved concurrency, or deletes it for `null`. */
export async function setReservedConcurrency(
  lambda: LambdaClient,
  functionName: string,
  value: number | null,
): Promise<void> {
  if (value === null) {
    await lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: functionName }));
    return;
  }
  await lambda.send(
    new PutFunctionConcurrencyCommand({ FunctionName: functionName, ReservedConcurrentExecutions: value }),
  );
}

/**
 * Every event-source mapping of the function, on any version or alias of it, paginated. Why the
 * account's whole list filtered here rather than ListEventSourceMappings' `FunctionName` filter: a
 * mapping on an alias (`function:name:live`) is the function's too, and the emulator (moto 5.2.5)
 * answers nothing when the filter is an ARN.
 */
export async function mappingsOf(lambda: LambdaClient, functionArn: string): Promise<MappingState[]> {
  const mappings: MappingState[] = [];
  for await (const page of paginateListEventSourceMappings({ client: lambda }, {})) {
    for (const mapping of page.EventSourceMappings ?? []) {
      const arn = mapping.FunctionArn ?? '';
      if (mapping.UUID && (arn === functionArn || arn.startsWith(`${functionArn}:`))) {
        mappings.push({
          uuid: mapping.UUID,
          state: mapping.State ?? 'Unknown',
          eventSourceArn: mapping.EventSourceArn,
        });
      }
    }
  }
  return mappings.sort((a, b) => (a.uuid < b.uuid ? -1 : a.uuid > b.uuid ? 1 : 0));
}

/** One mapping's state, or undefined when it was deleted meanwhile. */
export async function mappingState(lambda: LambdaClient, uuid: string): Promise<MappingState | undefined> {
  try {
    const mapping = await lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }));
    return { uuid, state: mapping.State ?? 'Unknown', eventSourceArn: mapping.EventSourceArn };
  } catch (error: unknown) {
    if (hasErrorCode(error, 'ResourceNotFoundException')) return undefined;
    throw error;
  }
}

/** Enables or disables one mapping. */
export async function setMappingEnabled(lambda: LambdaClient, uuid: string, enabled: boolean): Promise<void> {
  await lambda.send(new UpdateEventSourceMappingCommand({ UUID: uuid, Enabled: enabled }));
}

/** What a contained function looks like when read back. */
export interface ObservedContainment {
  readonly reservedConcurrency: number | null;
  readonly mappings: readonly MappingState[];
}

/**
 * What keeps a function from counting as contained: reserved concurrency other than 0, or a mapping
 * not yet `Disabled` (`Disabling` still polls its source; Lambda finishes it within moments).
 */
export function containmentProblems(observed: ObservedContainment): string[] {
  return [
    ...(observed.reservedConcurrency === 0
      ? []
      : [`reserved concurrency is ${observed.reservedConcurrency ?? 'unset'}, not 0`]),
    ...observed.mappings
      .filter((mapping) => mapping.state !== 'Disabled')
      .map((mapping) => `event-source mapping ${mapping.uuid} is ${mapping.state}, not Disabled`),
  ];
}
