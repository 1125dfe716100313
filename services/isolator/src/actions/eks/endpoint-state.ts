import {
  type Cluster,
  DescribeClusterCommand,
  type EKSClient,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateClusterConfigCommand,
  type VpcConfigRequest,
} from '@aws-sdk/client-eks';
import { RetryableError } from '@ir/runtime';
import { z } from 'zod';
import { readBackUntilVerified } from '../../aws/read-back.js';
import {
  hasErrorCode,
  InvalidPreStateError,
  ResourceNotFoundError,
  UnexpectedAwsResponseError,
  VerificationFailedError,
} from '../../errors.js';

/**
 * Reads and writes of an EKS cluster's API endpoint access (`contain.eks-endpoint-access` and its
 * rollback). EKS has no `DryRun`: a dry run makes none of the writes here (the handlers decide).
 */

/**
 * Tags the isolator keeps on a cluster whose endpoint it restricted (TRAPS 24: workers hold no state
 * of their own). Record keys (`ir-record:*`), not `ir:*`: no IAM condition trusts them, so the right
 * to write them on an existing cluster gives nobody anything (TRAPS 21). Plain words, not JSON: EKS
 * tag values allow only letters, digits, spaces and `_.:/=+-@` (as RDS's).
 */
export const EksTag = {
  /** The incident whose containment restricted the endpoint. */
  restrictedBy: 'ir-record:eks-endpoint-restricted-by',
  /** `public=<bool> private=<bool> cidrs=<cidr> <cidr> …`, split over `…-pre-state-0…n`. */
  preStatePrefix: 'ir-record:eks-endpoint-pre-state-',
} as const;

/** What the containment replaces: the endpoint access before it, and the cluster it belongs to. */
export const EksEndpointPreState = z.object({
  clusterName: z.string().min(1),
  endpointPublicAccess: z.boolean(),
  endpointPrivateAccess: z.boolean(),
  publicAccessCidrs: z.array(z.string().min(1)),
});
/** @see EksEndpointPreState */
export type EksEndpointPreState = z.infer<typeof EksEndpointPreState>;

/** The endpoint access of a cluster as DescribeCluster reports it. */
export interface EndpointAccess {
  readonly endpointPublicAccess: boolean;
  readonly endpointPrivateAccess: boolean;
  readonly publicAccessCidrs: readonly string[];
}

/** What a containment or a rollback sets: public access, and its CIDRs when it stays on. */
export interface WantedAccess {
  readonly endpointPublicAccess: boolean;
  readonly publicAccessCidrs?: readonly string[] | undefined;
}

/** A cluster as the actions need it: name, ARN, status, tags and endpoint access. */
export interface EksCluster {
  readonly name: string;
  readonly arn: string;
  readonly status: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly access: EndpointAccess;
}

/** EKS tag values hold 256 characters; 20 tags of 250 leave room for the owner's own tags. */
const VALUE_LENGTH = 250;
const MAX_TAGS = 20;

/**
 * The endpoint access of a described cluster. AWS always returns the three fields; where one is
 * missing (the emulator returns only what it was given) AWS's documented defaults stand in: public
 * access on from 0.0.0.0/0, private access off.
 */
export function endpointAccessOf(cluster: Cluster): EndpointAccess {
  const vpc = cluster.resourcesVpcConfig;
  return {
    endpointPublicAccess: vpc?.endpointPublicAccess ?? true,
    endpointPrivateAccess: vpc?.endpointPrivateAccess ?? false,
    publicAccessCidrs: [...(vpc?.publicAccessCidrs ?? ['0.0.0.0/0'])].sort(),
  };
}

/** A cluster, or a named failure when it does not exist (or is being deleted). */
export async function describeCluster(eks: EKSClient, name: string): Promise<EksCluster> {
  let cluster: Cluster | undefined;
  try {
    cluster = (await eks.send(new DescribeClusterCommand({ name }))).cluster;
  } catch (error: unknown) {
    if (!hasErrorCode(error, 'ResourceNotFoundException')) throw error;
  }
  if (!cluster || cluster.status === 'DELETING') {
    throw new ResourceNotFoundError(
      `EKS cluster ${name} not found${cluster?.status ? ` (${cluster.status})` : ''}`,
      { clusterName: name },
    );
  }
  if (!cluster.arn) throw new UnexpectedAwsResponseError(`EKS cluster ${name} has no ARN`);
  return {
    name,
    arn: cluster.arn,
    status: cluster.status ?? 'UNKNOWN',
    tags: cluster.tags ?? {},
    access: endpointAccessOf(cluster),
  };
}

/** The pre-state as record tags (`EksTag.preStatePrefix` 0…n), or undefined when it needs more than 20. */
export function preStateToTags(preState: EksEndpointPreState): Record<string, string> | undefined {
  const text = `public=${preState.endpointPublicAccess} private=${preState.endpointPrivateAccess} cidrs=${preState.publicAccessCidrs.join(' ')}`;
  const count = Math.ceil(text.length / VALUE_LENGTH);
  if (count > MAX_TAGS) return undefined;
  return Object.fromEntries(
    Array.from({ length: count }, (_, i) => [
      `${EksTag.preStatePrefix}${i}`,
      text.slice(i * VALUE_LENGTH, (i + 1) * VALUE_LENGTH),
    ]),
  );
}

/**
 * The pre-state a first run tagged on the cluster, or undefined when there is none. Tags that do not
 * parse are not guessed at: the error asks a person to look.
 */
export function preStateFromTags(
  clusterName: string,
  tags: Readonly<Record<string, string>>,
): EksEndpointPreState | undefined {
  let text = '';
  for (let i = 0; tags[`${EksTag.preStatePrefix}${i}`] !== undefined; i++) {
    text += tags[`${EksTag.preStatePrefix}${i}`];
  }
  if (text === '') return undefined;
  const match = /^public=(true|false) private=(true|false) cidrs=(.*)$/.exec(text);
  const parsed = EksEndpointPreState.safeParse(
    match
      ? {
          clusterName,
          endpointPublicAccess: match[1] === 'true',
          endpointPrivateAccess: match[2] === 'true',
          publicAccessCidrs: (match[3] ?? '').split(' ').filter((cidr) => cidr.length > 0),
        }
      : undefined,
  );
  if (!parsed.success) {
    throw new InvalidPreStateError(
      `EKS cluster ${clusterName} carries ${EksTag.preStatePrefix}* tags that do not parse; remove them after checking the cluster by hand`,
      parsed.error,
    );
  }
  return parsed.data;
}

/** Keys of this action's record tags on a cluster. */
export function recordTagKeys(tags: Readonly<Record<string, string>>): string[] {
  return Object.keys(tags).filter(
    (key) =>
      key === EksTag.restrictedBy ||
      (key.startsWith(EksTag.preStatePrefix) && /^\d+$/.test(key.slice(EksTag.preStatePrefix.length))),
  );
}

/** Adds tags to a cluster. */
export async function tagCluster(eks: EKSClient, arn: string, tags: Record<string, string>): Promise<void> {
  await eks.send(new TagResourceCommand({ resourceArn: arn, tags }));
}

/** Removes tags from a cluster (nothing to do when `keys` is empty). */
export async function untagCluster(eks: EKSClient, arn: string, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  await eks.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: [...keys] }));
}

/**
 * The `resourcesVpcConfig` of the update: only the public-access fields. AWS merges what it is sent
 * into the cluster's configuration, so subnets, security groups and private access stay as they are.
 * (The emulator, moto 5.2.5, replaces the whole configuration with what it is sent instead: an
 * emulator gap the integration tests name.)
 */
export function vpcConfigRequest(wanted: WantedAccess): VpcConfigRequest {
  return {
    endpointPublicAccess: wanted.endpointPublicAccess,
    ...(wanted.endpointPublicAccess && wanted.publicAccessCidrs
      ? { publicAccessCidrs: [...wanted.publicAccessCidrs] }
      : {}),
  };
}

/**
 * Sends the update. EKS applies it asynchronously (the cluster is `UPDATING` for minutes); an update
 * that is `Failed` at once is a verification failure with EKS's own errors.
 */
export async function updateEndpointAccess(
  eks: EKSClient,
  cluster: Pick<EksCluster, 'name'>,
  wanted: WantedAccess,
): Promise<{ updateId: string | null; status: string | null }> {
  const output = await eks.send(
    new UpdateClusterConfigCommand({ name: cluster.name, resourcesVpcConfig: vpcConfigRequest(wanted) }),
  );
  const update = output.update;
  if (update?.status === 'Failed') {
    const errors = (update.errors ?? []).map((e) => `${e.errorCode ?? 'error'}: ${e.errorMessage ?? ''}`);
    throw new VerificationFailedError(`endpoint access update of EKS cluster ${cluster.name}`, errors, {
      clusterName: cluster.name,
      updateId: update.id,
    });
  }
  return { updateId: update?.id ?? null, status: update?.status ?? null };
}

/** What is wrong with the observed access, given what was wanted (empty when it matches). */
export function accessProblems(observed: EksCluster, wanted: WantedAccess): string[] {
  const problems: string[] = [];
  if (observed.access.endpointPublicAccess !== wanted.endpointPublicAccess) {
    problems.push(
      `endpointPublicAccess is ${observed.access.endpointPublicAccess}, not ${wanted.endpointPublicAccess}`,
    );
  }
  if (wanted.endpointPublicAccess && wanted.publicAccessCidrs) {
    const want = [...wanted.publicAccessCidrs].sort().join(',');
    const have = observed.access.publicAccessCidrs.join(',');
    if (want !== have) problems.push(`publicAccessCidrs are ${have || '(none)'}, not ${want}`);
  }
  // The new configuration holds only once the update has finished.
  if (observed.status === 'UPDATING') problems.push('the cluster is UPDATING');
  return problems;
}

/** How long a read-back waits for EKS: 8 reads, 2 s apart and growing (about 70 s in all). */
export const READ_BACK = { attempts: 8, delayMs: 2000 } as const;

/** The read-back after an update answer that named no update: 3 reads, about 1.5 s in all. */
export const SHORT_READ_BACK = { attempts: 3, delayMs: 500 } as const;

/**
 * How long to read back after `update` (null: no update was sent). AWS answers every accepted
 * UpdateClusterConfig with the update it started (`update.id`, `InProgress`) and applies it over
 * minutes: then the long wait. An answer that names no update gives nothing to wait for (moto 5.2.5
 * answers so, having applied the change at once; so does a success that never reached EKS, TRAPS 16):
 * a short read-back, so a change that is not there fails now, naming what was read, rather than after
 * a minute (and after the step's answer is due).
 */
export function readBackTiming(
  update: { readonly updateId: string | null } | null,
  long: { attempts: number; delayMs: number },
): { attempts: number; delayMs: number } {
  return update !== null && update.updateId === null ? SHORT_READ_BACK : long;
}

/** The read-back's subject, naming an update answer that named no update (a person reading it should know). */
export function readBackSubject(what: string, update: { readonly updateId: string | null } | null): string {
  return update !== null && update.updateId === null
    ? `${what} (UpdateClusterConfig answered without an update)`
    : what;
}

/**
 * Reads the cluster back until its access is `wanted`. An update still running when the reads run
 * out is not a failure yet: a {@link RetryableError}, so the step is delivered again later and its
 * repeat finds the record and reads again (endpoint updates take minutes). Anything else that does
 * not match is a {@link VerificationFailedError}.
 */
export async function readBackAccess(
  eks: EKSClient,
  name: string,
  wanted: WantedAccess,
  what: string,
  signal: AbortSignal,
  timing: { attempts: number; delayMs: number } = READ_BACK,
): Promise<EksCluster> {
  const verified = await readBackUntilVerified(
    async () => {
      const observed = await describeCluster(eks, name);
      return { observed, problems: accessProblems(observed, wanted) };
    },
    { signal, ...timing },
  );
  if (verified.problems.length === 0) return verified.observed;
  if (verified.observed.status === 'UPDATING') throw updateInProgress(name);
  throw new VerificationFailedError(what, verified.problems, { clusterName: name });
}

/** An endpoint update of the cluster is still running: try the step again later. */
export function updateInProgress(name: string): RetryableError {
  return new RetryableError(
    `EKS cluster ${name} is UPDATING; its endpoint access is read again on the next delivery`,
    { reason: 'update-in-progress', context: { clusterName: name } },
  );
}
