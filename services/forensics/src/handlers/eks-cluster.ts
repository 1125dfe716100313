import {
  type Cluster,
  DescribeClusterCommand,
  DescribeNodegroupCommand,
  DescribePodIdentityAssociationCommand,
  EKSClient,
  paginateListFargateProfiles,
  paginateListNodegroups,
  paginateListPodIdentityAssociations,
} from '@aws-sdk/client-eks';
import { errorName, type ParamsOf, type StepHandler, succeeded } from '@ir/runtime';
import { StepRefusedError } from '../errors.js';
import { readSection, type SectionGap } from './sections.js';
import { putCollectedRecord } from './json-record.js';
import type { ActionDeps } from './types.js';

const ARTIFACT = 'eks-cluster.json';

/**
 * At most this many node groups and pod-identity associations are described. A cluster has a
 * handful of each; the cap keeps one step's calls bounded, and the artifact says when it was reached.
 */
export const EKS_DESCRIBE_CAP = 25;

/** What the finding says about the workload, recorded as given (the service reads no Kubernetes API). */
type Reported = Omit<ParamsOf<'evidence.collect-eks-cluster'>, 'clusterName'>;

/** One pod-identity association of the service account: the role its pods get credentials for. */
export interface PodIdentityRecord {
  readonly associationId: string;
  readonly associationArn: string | null;
  readonly namespace: string | null;
  readonly serviceAccount: string | null;
  readonly roleArn: string | null;
  /** Set when the association chains into a role in another account. */
  readonly targetRoleArn: string | null;
  /** Set when an EKS add-on owns the association. */
  readonly ownerArn: string | null;
  readonly createdAt: string | null;
  readonly modifiedAt: string | null;
  readonly tags: Record<string, string>;
}

/** A list that stopped at {@link EKS_DESCRIBE_CAP}, and whether there was more. */
interface Capped<T> {
  readonly items: T[];
  readonly truncated: boolean;
}

/** Up to `cap` items of a paginated list (`itemsOf` picks a page's items). */
async function firstOf<P, T>(
  pages: AsyncIterable<P>,
  itemsOf: (page: P) => readonly T[] | undefined,
  cap: number,
): Promise<Capped<T>> {
  const items: T[] = [];
  for await (const page of pages) {
    for (const item of itemsOf(page) ?? []) {
      if (items.length === cap) return { items, truncated: true };
      items.push(item);
    }
  }
  return { items, truncated: false };
}

/**
 * The pod-identity associations of one service account: ListPodIdentityAssociations filtered by
 * namespace and service account, then DescribePodIdentityAssociation of each for its role (the list
 * has no role). Exported for its unit test on AWS's documented answers: the emulator (moto 5.2.5)
 * has no pod-identity API.
 */
export async function podIdentityAssociations(
  eks: EKSClient,
  clusterName: string,
  namespace: string,
  serviceAccount: string,
): Promise<Capped<PodIdentityRecord>> {
  const listed = await firstOf(
    paginateListPodIdentityAssociations({ client: eks }, { clusterName, namespace, serviceAccount }),
    (page) => page.associations,
    EKS_DESCRIBE_CAP,
  );
  const items: PodIdentityRecord[] = [];
  for (const summary of listed.items) {
    if (!summary.associationId) continue;
    const { association } = await eks.send(
      new DescribePodIdentityAssociationCommand({ clusterName, associationId: summary.associationId }),
    );
    items.push({
      associationId: summary.associationId,
      associationArn: association?.associationArn ?? summary.associationArn ?? null,
      namespace: association?.namespace ?? summary.namespace ?? null,
      serviceAccount: association?.serviceAccount ?? summary.serviceAccount ?? null,
      roleArn: association?.roleArn ?? null,
      targetRoleArn: association?.targetRoleArn ?? null,
      ownerArn: association?.ownerArn ?? summary.ownerArn ?? null,
      createdAt: association?.createdAt?.toISOString() ?? null,
      modifiedAt: association?.modifiedAt?.toISOString() ?? null,
      tags: association?.tags ?? {},
    });
  }
  return { items, truncated: listed.truncated };
}

/** The endpoint access of a cluster, the part a containment of its API changes. */
function endpointAccessOf(cluster: Cluster) {
  const vpc = cluster.resourcesVpcConfig;
  return {
    endpointPublicAccess: vpc?.endpointPublicAccess ?? null,
    endpointPrivateAccess: vpc?.endpointPrivateAccess ?? null,
    publicAccessCidrs: vpc?.publicAccessCidrs ?? null,
  };
}

/** A section that could not be read, as the artifact states it: never a guess at its content. */
function unavailable(section: string, gaps: readonly SectionGap[]) {
  const gap = gaps.find((g) => g.section === section);
  return gap ? { unavailable: `${gap.error}: ${gap.message}` } : null;
}

/**
 * evidence.collect-eks-cluster: the cluster as EKS describes it (version, endpoint and its public and
 * private access with the public CIDRs, logging, cluster role, OIDC issuer, access configuration,
 * tags), its node groups (described, up to {@link EKS_DESCRIBE_CAP}) and Fargate profiles, the
 * workload, service account and node the finding names (`reportedByFinding`: as the finding reports
 * them, not read from the Kubernetes API), and the pod-identity associations of that service account
 * with their roles, in `eks-cluster.json`. Why before containment: restricting the endpoint and
 * revoking the role's sessions change exactly this configuration. A section that cannot be read
 * (no permission, an API the account or emulator lacks) is recorded as unavailable with its error.
 */
export function collectEksCluster(deps: ActionDeps): StepHandler<'evidence.collect-eks-cluster'> {
  return async ({ clusterName, ...reported }, context) => {
    const { stepId, incidentId } = context;
    const eks = await context.client(EKSClient);
    let cluster: Cluster | undefined;
    try {
      cluster = (await eks.send(new DescribeClusterCommand({ name: clusterName }))).cluster;
    } catch (error: unknown) {
      if (errorName(error) !== 'ResourceNotFoundException') throw error;
      throw new StepRefusedError(`EKS cluster ${clusterName} not found`, 'not-found', { cause: error });
    }
    if (!cluster) throw new StepRefusedError(`EKS cluster ${clusterName} not found`, 'not-found');
    const gaps: SectionGap[] = [];
    const nodegroups = await readSection('nodegroups', gaps, async () => {
      const names = await firstOf(
        paginateListNodegroups({ client: eks }, { clusterName }),
        (page) => page.nodegroups,
        EKS_DESCRIBE_CAP,
      );
      const described: Record<string, unknown>[] = [];
      for (const nodegroupName of names.items) {
        const output = await eks.send(new DescribeNodegroupCommand({ clusterName, nodegroupName }));
        if (output.nodegroup) described.push({ ...output.nodegroup });
      }
      return { items: described, truncated: names.truncated };
    });
    const fargateProfiles = await readSection('fargateProfiles', gaps, async () => {
      const names = await firstOf(
        paginateListFargateProfiles({ client: eks }, { clusterName }),
        (page) => page.fargateProfileNames,
        EKS_DESCRIBE_CAP,
      );
      return { names: names.items, truncated: names.truncated };
    });
    const { namespace, serviceAccountName } = reported;
    const podIdentity =
      namespace && serviceAccountName
        ? await readSection('podIdentityAssociations', gaps, () =>
            podIdentityAssociations(eks, clusterName, namespace, serviceAccountName),
          )
        : null;
    const reportedByFinding: Reported & { note: string } = {
      ...reported,
      note: 'as the finding reports them; not read from the cluster (no Kubernetes API call)',
    };
    const endpointAccess = endpointAccessOf(cluster);

    if (context.dryRun) {
      return succeeded({
        dryRun: true,
        clusterName,
        gaps,
        wouldWrite: [deps.store.keyOf({ incidentId, stepId, name: ARTIFACT })],
      });
    }
    const artifact = await putCollectedRecord(deps, context, ARTIFACT, {
      clusterName,
      cluster,
      endpointAccess,
      nodegroups: nodegroups ?? unavailable('nodegroups', gaps),
      fargateProfiles: fargateProfiles ?? unavailable('fargateProfiles', gaps),
      reportedByFinding,
      podIdentityAssociations:
        podIdentity ??
        (namespace && serviceAccountName
          ? unavailable('podIdentityAssociations', gaps)
          : { skipped: 'the finding names no namespace and service account' }),
      gaps,
    });
    return succeeded({
      clusterName,
      clusterArn: cluster.arn ?? null,
      version: cluster.version ?? null,
      status: cluster.status ?? null,
      endpointAccess,
      oidcIssuer: cluster.identity?.oidc?.issuer ?? null,
      nodegroups: nodegroups?.items.length ?? null,
      fargateProfiles: fargateProfiles?.names.length ?? null,
      podIdentityRoleArns: podIdentity?.items.flatMap((a) => (a.roleArn ? [a.roleArn] : [])) ?? null,
      gaps,
      artifact,
    });
  };
}
