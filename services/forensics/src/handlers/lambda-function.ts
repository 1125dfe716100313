import {
  type FunctionCodeLocation,
  GetFunctionCommand,
  type GetFunctionCommandOutput,
  GetFunctionConcurrencyCommand,
  GetPolicyCommand,
  LambdaClient,
  ListTagsCommand,
  paginateListEventSourceMappings,
} from '@aws-sdk/client-lambda';
import { unqualifiedFunctionArn } from '@ir/contracts';
import { sha256 } from '@ir/evidence';
import { errorMessage, errorName, type StepHandler, succeeded } from '@ir/runtime';
import { StepRefusedError } from '../errors.js';
import {
  CodeDownloadError,
  CodeLocationRefused,
  codeDownloadUrl,
  downloadCodePackage,
  redactedLocation,
} from '../lambda/code-package.js';
import { readSection, type SectionGap, unlessAbsent, withoutMetadata } from './sections.js';
import { putCollectedRecord } from './json-record.js';
import type { ActionDeps } from './types.js';

const CONFIGURATION = 'lambda-function.json';
const CODE = 'lambda-code.zip';

/** What the artifact says about the code package, whether or not its bytes were stored. */
interface CodeRecord {
  readonly packageType: string;
  /** The presigned URL without its query (signature and session token are credentials). */
  readonly location?: string;
  readonly imageUri?: string;
  readonly resolvedImageUri?: string;
  /** Lambda's `CodeSha256` (base64) and whether the bytes this service hashed match it. */
  readonly lambdaCodeSha256?: string;
  readonly matchesLambdaCodeSha256?: boolean;
  readonly skipped?: string;
}

/**
 * The package's bytes, or the reason there are none (a gap, not a failure: configuration, policy and
 * mappings are evidence on their own). Transient download errors propagate, so the step is retried
 * with a fresh presigned URL before anything is written.
 */
async function fetchCode(
  code: FunctionCodeLocation | undefined,
  endpoint: string | undefined,
  signal: AbortSignal,
  gaps: SectionGap[],
): Promise<Uint8Array | undefined> {
  if (!code?.Location) return undefined;
  try {
    return await downloadCodePackage(codeDownloadUrl(code.Location, endpoint), signal);
  } catch (error: unknown) {
    if (error instanceof CodeLocationRefused || (error instanceof CodeDownloadError && !error.retryable)) {
      gaps.push({ section: 'codePackage', error: errorName(error), message: errorMessage(error) });
      return undefined;
    }
    throw error;
  }
}

/**
 * evidence.collect-lambda: a function's configuration (of the version or alias the finding names),
 * reserved concurrency, tags, resource policy (null when it has none) and event-source mappings in
 * `lambda-function.json`, and its deployment package downloaded into `lambda-code.zip`, hashed by this
 * service and compared with Lambda's `CodeSha256`. Why both before containment: the configuration
 * and the package are what an attacker changed, and a person restoring the function needs them. A
 * container-image function has no package to download: its image digest is recorded instead.
 */
export function collectLambda(deps: ActionDeps): StepHandler<'evidence.collect-lambda'> {
  return async ({ functionName, qualifier }, context) => {
    const { stepId, target, incidentId } = context;
    const lambda = await context.client(LambdaClient);
    const gaps: SectionGap[] = [];
    let fn: GetFunctionCommandOutput;
    try {
      fn = await lambda.send(new GetFunctionCommand({ FunctionName: functionName, Qualifier: qualifier }));
    } catch (error: unknown) {
      if (errorName(error) === 'ResourceNotFoundException') {
        throw new StepRefusedError(
          `Lambda function ${functionName}${qualifier ? `:${qualifier}` : ''} not found`,
          'not-found',
          { cause: error },
        );
      }
      throw error;
    }
    const configuration = fn.Configuration ?? {};
    // Tags, concurrency and mappings belong to the function, not to the version GetFunction named.
    const functionArn = configuration.FunctionArn
      ? unqualifiedFunctionArn(configuration.FunctionArn)
      : undefined;
    const concurrency = await readSection('concurrency', gaps, async () => {
      const output = await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: functionName }));
      return output.ReservedConcurrentExecutions ?? null;
    });
    const tags = await readSection('tags', gaps, async () =>
      functionArn ? ((await lambda.send(new ListTagsCommand({ Resource: functionArn }))).Tags ?? {}) : null,
    );
    // Resource policies are per version and alias: the function's own, and the qualifier's when named.
    const readPolicy = async (Qualifier: string | undefined) => {
      const output = await unlessAbsent(
        () => lambda.send(new GetPolicyCommand({ FunctionName: functionName, Qualifier })),
        ['ResourceNotFoundException'],
        null,
      );
      return output?.Policy ? (JSON.parse(output.Policy) as unknown) : null;
    };
    const policy = await readSection('policy', gaps, () => readPolicy(undefined));
    const qualifierPolicy =
      qualifier && qualifier !== '$LATEST'
        ? await readSection('qualifierPolicy', gaps, () => readPolicy(qualifier))
        : null;
    // The whole list, filtered by ARN: a mapping on an alias or version of the function is the
    // function's too (and moto 5.2.5 answers nothing to ListEventSourceMappings filtered by an ARN).
    const eventSourceMappings = await readSection('eventSourceMappings', gaps, async () => {
      const mappings: Record<string, unknown>[] = [];
      for await (const page of paginateListEventSourceMappings({ client: lambda }, {})) {
        for (const mapping of page.EventSourceMappings ?? []) {
          const of = mapping.FunctionArn ?? '';
          if (functionArn && (of === functionArn || of.startsWith(`${functionArn}:`)))
            mappings.push({ ...mapping });
        }
      }
      return mappings;
    });
    const packageType = configuration.PackageType ?? 'Zip';
    const code: CodeRecord = {
      packageType,
      ...(fn.Code?.Location ? { location: redactedLocation(fn.Code.Location) } : {}),
      ...(fn.Code?.ImageUri ? { imageUri: fn.Code.ImageUri } : {}),
      ...(fn.Code?.ResolvedImageUri ? { resolvedImageUri: fn.Code.ResolvedImageUri } : {}),
      ...(configuration.CodeSha256 ? { lambdaCodeSha256: configuration.CodeSha256 } : {}),
    };
    const names = [CONFIGURATION, ...(fn.Code?.Location ? [CODE] : [])];

    if (context.dryRun) {
      return succeeded({
        dryRun: true,
        functionName,
        gaps,
        wouldWrite: names.map((name) => deps.store.keyOf({ incidentId, stepId, name })),
      });
    }

    const bytes = await fetchCode(fn.Code, deps.config.AWS_ENDPOINT_URL, context.signal, gaps);
    const matches =
      bytes && configuration.CodeSha256 ? sha256(bytes).base64 === configuration.CodeSha256 : undefined;
    if (matches === false) {
      gaps.push({
        section: 'codePackage',
        error: 'CodeSha256Mismatch',
        message: `the downloaded package does not hash to Lambda's CodeSha256 ${configuration.CodeSha256}; it is stored as downloaded`,
      });
    }
    const codeRecord: CodeRecord = {
      ...code,
      ...(matches === undefined ? {} : { matchesLambdaCodeSha256: matches }),
      ...(bytes || !fn.Code?.Location ? {} : { skipped: 'the package could not be downloaded; see gaps' }),
      ...(packageType === 'Image'
        ? { skipped: 'a container image: its digest (resolvedImageUri) names it in ECR' }
        : {}),
    };
    const common = {
      incidentId,
      stepId,
      action: context.action,
      sourceAccount: target.accountId,
    };
    const codeArtifact = bytes
      ? await deps.store.put({ ...common, name: CODE, contentType: 'application/zip', body: bytes })
      : undefined;
    const { Configuration: _configuration, Code: _code, ...rest } = withoutMetadata(fn);
    const artifact = await putCollectedRecord(deps, context, CONFIGURATION, {
      functionName,
      qualifier: qualifier ?? null,
      configuration,
      ...rest,
      code: { ...codeRecord, ...(codeArtifact ? { artifact: codeArtifact } : {}) },
      reservedConcurrency: concurrency,
      tags,
      policy,
      qualifierPolicy,
      eventSourceMappings,
      gaps,
    });
    return succeeded({
      functionName,
      functionArn: functionArn ?? null,
      hasPolicy: policy !== null || qualifierPolicy !== null,
      eventSourceMappings: eventSourceMappings?.length ?? null,
      code: codeRecord,
      codeSha256: codeArtifact?.sha256 ?? null,
      gaps,
      artifact,
      ...(codeArtifact ? { codeArtifact } : {}),
    });
  };
}
