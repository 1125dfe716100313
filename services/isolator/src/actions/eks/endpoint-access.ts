import { EKSClient } from '@aws-sdk/client-eks';
import { type StepHandler, succeeded } from '@ir/runtime';
import { ContainmentRefusedError, IsolatorError } from '../../errors.js';
import type { ActionDeps } from '../action-deps.js';
import { parsePreState } from '../pre-state.js';
import {
  describeCluster,
  type EksCluster,
  EksEndpointPreState,
  EksTag,
  type EndpointAccess,
  preStateFromTags,
  preStateToTags,
  READ_BACK,
  readBackAccess,
  readBackSubject,
  readBackTiming,
  recordTagKeys,
  tagCluster,
  untagCluster,
  updateEndpointAccess,
  updateInProgress,
  type WantedAccess,
} from './endpoint-state.js';

/** How the read-back waits; tests shorten it. */
export interface EndpointAccessOptions {
  readonly readBack?: { attempts: number; delayMs: number };
}

function describeAccess(access: WantedAccess | EndpointAccess): string {
  if (!access.endpointPublicAccess) return 'public endpoint off';
  return `public endpoint from ${access.publicAccessCidrs?.join(', ') ?? '(unchanged CIDRs)'}`;
}

/**
 * What the containment sets, or why a person must decide. The rule:
 * - a public endpoint that is already off is left as it is (nothing public to restrict);
 * - with `IR_EKS_ENDPOINT_ALLOWED_CIDRS` set, the public endpoint stays on and answers only those
 *   CIDRs (the responders' and operators' networks, which keep the cluster reachable);
 * - without it, the public endpoint is switched off, but only when the private endpoint is on: with
 *   both off nothing could reach the cluster's API (kubectl, controllers outside the VPC, the people
 *   responding), and AWS refuses that update anyway. So that case is refused, naming the two ways out.
 */
export function wantedAccess(
  cluster: Pick<EksCluster, 'name' | 'access'>,
  allowedCidrs: readonly string[],
): WantedAccess | undefined {
  if (!cluster.access.endpointPublicAccess) return undefined;
  if (allowedCidrs.length > 0) {
    return { endpointPublicAccess: true, publicAccessCidrs: [...allowedCidrs].sort() };
  }
  if (cluster.access.endpointPrivateAccess) return { endpointPublicAccess: false };
  throw new ContainmentRefusedError(
    `EKS cluster ${cluster.name} has no private endpoint, so switching its public endpoint off would leave nobody able to reach its API; set IR_EKS_ENDPOINT_ALLOWED_CIDRS to restrict it to your networks, or enable private access first (a person must decide)`,
    { clusterName: cluster.name },
  );
}

/** Whether the cluster's access already is what is wanted. */
function matches(access: EndpointAccess, wanted: WantedAccess): boolean {
  if (access.endpointPublicAccess !== wanted.endpointPublicAccess) return false;
  if (!wanted.endpointPublicAccess || !wanted.publicAccessCidrs) return true;
  return access.publicAccessCidrs.join(',') === [...wanted.publicAccessCidrs].sort().join(',');
}

/**
 * `contain.eks-endpoint-access`: restricts the cluster's public API endpoint (see {@link wantedAccess}
 * for the rule), records its endpoint access on the cluster as tags before the change, sends only the
 * public-access fields in UpdateClusterConfig, and reads DescribeCluster back until the change shows.
 * A repeat under the same incident reports the first run's record (TRAPS 24); under another incident
 * it is refused, because that record belongs to the other incident's rollback. A protected cluster
 * (`ir:protected=true` among the finding's cluster tags) is held by the coordinator for two approvers
 * before this runs; the action itself does not refuse it (it cannot tell an approved step from
 * another, as no isolator action can).
 */
export function containEksEndpointAccess(
  deps: ActionDeps,
  options: EndpointAccessOptions = {},
): StepHandler<'contain.eks-endpoint-access'> {
  return async ({ clusterName }, context) => {
    const eks = await context.client(EKSClient);
    const cluster = await describeCluster(eks, clusterName);
    const where = `EKS cluster ${clusterName}`;
    const owner = cluster.tags[EksTag.restrictedBy];
    if (owner && owner !== context.incidentId) {
      throw new ContainmentRefusedError(
        `the endpoint of ${where} was restricted under incident ${owner}; roll that back or handle this incident there (a person must decide)`,
        { clusterName, owner },
      );
    }
    const recorded = owner ? preStateFromTags(clusterName, cluster.tags) : undefined;
    const preState: EksEndpointPreState = recorded ?? {
      clusterName,
      ...cluster.access,
      publicAccessCidrs: [...cluster.access.publicAccessCidrs],
    };
    // A repeat decides from the recorded access: the first run may have switched the endpoint off.
    const wanted = wantedAccess(
      { name: clusterName, access: recorded ?? cluster.access },
      deps.config.IR_EKS_ENDPOINT_ALLOWED_CIDRS,
    );
    const pending = wanted !== undefined && !matches(cluster.access, wanted);
    const changes = pending
      ? [
          ...(recorded ? [] : [`tag ${where} with ${EksTag.restrictedBy} and its endpoint access`]),
          `set the ${describeAccess(wanted)} on ${where} (was ${describeAccess(cluster.access)})`,
        ]
      : [];
    const summary = { clusterName, clusterArn: cluster.arn, alreadyRestricted: !pending };

    if (context.dryRun) {
      return succeeded({ ...summary, dryRun: true, wouldChange: changes }, { preState });
    }
    if (pending && cluster.status === 'UPDATING') throw updateInProgress(clusterName);
    if (pending && !recorded) {
      const record = preStateToTags(preState);
      if (!record) {
        throw new IsolatorError(`the endpoint access of ${where} does not fit in tags`, {
          retryable: false,
          reason: 'pre-state-too-large',
          context: { clusterName },
        });
      }
      await tagCluster(eks, cluster.arn, { [EksTag.restrictedBy]: context.incidentId, ...record });
    }
    const update = pending && wanted ? await updateEndpointAccess(eks, cluster, wanted) : null;
    const verified = wanted
      ? await readBackAccess(
          eks,
          clusterName,
          wanted,
          readBackSubject(`endpoint restriction of ${where}`, update),
          context.signal,
          readBackTiming(update, options.readBack ?? READ_BACK),
        )
      : cluster;
    context.logger.info({ clusterName, alreadyRestricted: !pending }, 'eks_endpoint_restricted');
    return succeeded(
      { ...summary, changes, updateId: update?.updateId ?? null },
      { preState, verified: { endpointAccess: verified.access, status: verified.status } },
    );
  };
}

/**
 * `rollback.eks-endpoint-access`: puts back the recorded public access and CIDRs (only when they
 * differ, so a repeated rollback converges), reads them back, and only then removes this incident's
 * tags, so a failed rollback can be retried. Private access was never changed, so it is not sent.
 */
export function rollbackEksEndpointAccess(
  options: EndpointAccessOptions = {},
): StepHandler<'rollback.eks-endpoint-access'> {
  return async (params, context) => {
    const preState = parsePreState(EksEndpointPreState, params.preState, 'rollback.eks-endpoint-access');
    const { clusterName } = preState;
    const eks = await context.client(EKSClient);
    const cluster = await describeCluster(eks, clusterName);
    const where = `EKS cluster ${clusterName}`;
    const original: WantedAccess = {
      endpointPublicAccess: preState.endpointPublicAccess,
      ...(preState.endpointPublicAccess ? { publicAccessCidrs: preState.publicAccessCidrs } : {}),
    };
    const pending = !matches(cluster.access, original);
    const tagKeys =
      cluster.tags[EksTag.restrictedBy] === context.incidentId ? recordTagKeys(cluster.tags) : [];
    const changes = [
      ...(pending ? [`restore the ${describeAccess(original)} on ${where}`] : []),
      ...(tagKeys.length > 0 ? [`remove tags ${tagKeys.join(', ')} from ${where}`] : []),
    ];
    if (context.dryRun) return succeeded({ clusterName, dryRun: true, wouldChange: changes });
    if (pending && cluster.status === 'UPDATING') throw updateInProgress(clusterName);

    const update = pending ? await updateEndpointAccess(eks, cluster, original) : null;
    const verified = await readBackAccess(
      eks,
      clusterName,
      original,
      readBackSubject(`restore of the endpoint access of ${where}`, update),
      context.signal,
      readBackTiming(update, options.readBack ?? READ_BACK),
    );
    await untagCluster(eks, cluster.arn, tagKeys);
    context.logger.info({ clusterName }, 'eks_endpoint_restored');
    return succeeded(
      { clusterName, changes },
      { verified: { endpointAccess: verified.access, status: verified.status } },
    );
  };
}
