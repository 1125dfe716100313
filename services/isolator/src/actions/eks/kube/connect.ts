import { type Cluster, DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { STSClient } from '@aws-sdk/client-sts';
import { CoreV1Api, KubeConfig, NetworkingV1Api } from '@kubernetes/client-node';
import type { StepContext } from '@ir/runtime';
import { ContainmentRefusedError, ResourceNotFoundError } from '../../../errors.js';
import { eksToken } from './eks-token.js';

/** A cluster as the actions use it: what EKS says about it, and API clients signed in as the isolator. */
export interface EksCluster {
  readonly name: string;
  readonly arn: string;
  /** The cluster's tags, read live (TRAPS 22). */
  readonly tags: Readonly<Record<string, string>>;
  readonly core: CoreV1Api;
  readonly networking: NetworkingV1Api;
}

/** The tag (and value) that marks a cluster protected, as the coordinator's default `IR_PROTECTED_TAG`. */
export const PROTECTED_TAG = { key: 'ir:protected', value: 'true' } as const;

/** The user name in the generated kubeconfig (it has no meaning to the API server). */
const KUBE_USER = 'ir-isolator';

/**
 * Describes the cluster (endpoint, CA, tags) and returns Kubernetes API clients authenticated with an
 * EKS token of the step's credentials (the member response role in the target account). The API
 * server maps that role through an EKS access entry to the `ir:isolator` group (README,
 * deploy/kubernetes/isolator-rbac.yaml). A missing cluster is a `ResourceNotFoundError`; a cluster
 * without an endpoint (still creating) is refused. Tests inject the cluster through the step's EKS
 * client: its endpoint answers `DescribeCluster` with a local API server's URL and CA (no
 * kube-apiserver is available from our registries), and the token is built from the step's
 * credentials as in production.
 */
export async function connectCluster(
  context: Pick<StepContext, 'client' | 'target'>,
  clusterName: string,
): Promise<EksCluster> {
  const eks = await context.client(EKSClient);
  let cluster: Cluster | undefined;
  try {
    cluster = (await eks.send(new DescribeClusterCommand({ name: clusterName }))).cluster;
  } catch (error: unknown) {
    if ((error as { name?: string }).name !== 'ResourceNotFoundException') throw error;
  }
  if (!cluster) throw new ResourceNotFoundError(`EKS cluster ${clusterName} not found`, { clusterName });
  const endpoint = cluster.endpoint;
  const ca = cluster.certificateAuthority?.data;
  if (!endpoint || !ca) {
    throw new ContainmentRefusedError(
      `EKS cluster ${clusterName} has no API endpoint or CA yet (status ${cluster.status ?? 'unknown'}); contain it by hand`,
      { clusterName },
    );
  }
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: clusterName, server: endpoint, caData: ca, skipTLSVerify: false }],
    users: [{ name: KUBE_USER, token: await tokenFor(context, clusterName) }],
    contexts: [{ name: clusterName, cluster: clusterName, user: KUBE_USER }],
    currentContext: clusterName,
  });
  return {
    name: clusterName,
    arn:
      cluster.arn ??
      `arn:aws:eks:${context.target.region}:${context.target.accountId}:cluster/${clusterName}`,
    tags: cluster.tags ?? {},
    core: kubeConfig.makeApiClient(CoreV1Api),
    networking: kubeConfig.makeApiClient(NetworkingV1Api),
  };
}

/** The EKS token of the credentials the step acts with (those of its STS client). */
async function tokenFor(context: Pick<StepContext, 'client'>, clusterName: string): Promise<string> {
  const sts = await context.client(STSClient);
  return eksToken({
    clusterName,
    region: await sts.config.region(),
    credentials: await sts.config.credentials(),
    sha256: sts.config.sha256,
  });
}

/** True when the cluster carries the protected tag (read live from `DescribeCluster`). */
export function isProtectedCluster(cluster: Pick<EksCluster, 'tags'>): boolean {
  return cluster.tags[PROTECTED_TAG.key] === PROTECTED_TAG.value;
}
