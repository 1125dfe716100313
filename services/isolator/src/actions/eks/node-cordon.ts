import type { V1Node } from '@kubernetes/client-node';
import { type StepHandler, succeeded } from '@ir/runtime';
import { z } from 'zod';
import { readBackUntilVerified } from '../../aws/read-back.js';
import { ContainmentRefusedError, VerificationFailedError } from '../../errors.js';
import { parsePreState } from '../pre-state.js';
import { patchNode, readNode, readPod, SERVER_DRY_RUN } from './kube/api.js';
import { connectCluster } from './kube/connect.js';
import { clusterProtected, refuseProtectedPod } from './protected.js';

/** Our annotations on a cordoned node: who cordoned it, and whether it was cordoned before. */
export const CordonAnnotation = {
  by: 'ir/cordoned-by',
  /** `true` or `false`: `spec.unschedulable` before the first run (TRAPS 24: a repeat reports it). */
  wasCordoned: 'ir/was-cordoned',
} as const;

const DRY_RUN_MODE = `server-side dry run (dryRun=${SERVER_DRY_RUN}): the API server validates the patch without storing it`;

const NO_DRAIN =
  'the node is cordoned, not drained: evicting its pods would destroy the evidence in them (memory, writable layers); its pods keep running';

/** What `contain.eks-node-cordon` replaces: whether the node was cordoned before. */
export const EksNodeCordonPreState = z.object({
  clusterName: z.string().min(1),
  nodeName: z.string().min(1),
  wasCordoned: z.boolean(),
});
/** @see EksNodeCordonPreState */
export type EksNodeCordonPreState = z.infer<typeof EksNodeCordonPreState>;

const isCordoned = (node: V1Node) => node.spec?.unschedulable === true;

/**
 * `contain.eks-node-cordon`: finds the node the pod runs on and sets `spec.unschedulable` (what
 * `kubectl cordon` does), with whether it was cordoned before recorded in an annotation on the node,
 * and reads the node back. It never drains. A pod not scheduled yet has no node: refused. A node
 * cordoned under another incident is refused.
 */
export function containEksNodeCordon(): StepHandler<'contain.eks-node-cordon'> {
  return async ({ clusterName, namespace, podName }, context) => {
    const cluster = await connectCluster(context, clusterName);
    const where = `pod ${namespace}/${podName} in EKS cluster ${clusterName}`;
    const pod = await readPod(cluster.core, namespace, podName);
    refuseProtectedPod(pod, `the node of ${where}`);
    const nodeName = pod.spec?.nodeName;
    if (!nodeName) {
      throw new ContainmentRefusedError(`${where} is not scheduled on a node; there is no node to cordon`, {
        namespace,
        podName,
      });
    }
    const node = await readNode(cluster.core, nodeName);
    const annotations = node.metadata?.annotations ?? {};
    const owner = annotations[CordonAnnotation.by];
    if (owner && owner !== context.incidentId) {
      throw new ContainmentRefusedError(
        `node ${nodeName} was cordoned under incident ${owner}; roll that back or handle this incident there (a person must decide)`,
        { nodeName, owner },
      );
    }
    const wasCordoned = owner ? annotations[CordonAnnotation.wasCordoned] === 'true' : isCordoned(node);
    const preState: EksNodeCordonPreState = { clusterName, nodeName, wasCordoned };
    const pending = !isCordoned(node);
    const changes = pending ? [`cordon node ${nodeName} (spec.unschedulable=true)`] : [];
    const result = {
      clusterName,
      clusterProtected: clusterProtected(cluster),
      nodeName,
      instanceId: instanceIdOf(node),
      alreadyCordoned: !pending,
      wasCordonedBefore: wasCordoned,
      note: NO_DRAIN,
    };
    // Cordoned before us: nothing to record or undo (the rollback leaves it cordoned).
    if (pending) {
      await patchNode(
        cluster.core,
        nodeName,
        {
          ...(owner
            ? {}
            : {
                metadata: {
                  annotations: {
                    [CordonAnnotation.by]: context.incidentId,
                    [CordonAnnotation.wasCordoned]: String(wasCordoned),
                  },
                },
              }),
          spec: { unschedulable: true },
        },
        context.dryRun,
      );
    }
    if (context.dryRun) {
      return succeeded(
        { ...result, dryRun: true, dryRunMode: DRY_RUN_MODE, wouldChange: changes },
        { preState },
      );
    }
    const readBack = await readBackUntilVerified(
      async () => {
        const now = await readNode(cluster.core, nodeName);
        return {
          observed: { nodeName, unschedulable: isCordoned(now) },
          problems: isCordoned(now) ? [] : [`node ${nodeName} is schedulable`],
        };
      },
      { signal: context.signal },
    );
    if (readBack.problems.length > 0) {
      throw new VerificationFailedError(`cordon of node ${nodeName}`, readBack.problems, { nodeName });
    }
    context.logger.info({ clusterName, nodeName }, 'eks_node_cordoned');
    return succeeded({ ...result, changes }, { preState, verified: readBack.observed });
  };
}

/**
 * `rollback.eks-node-cordon`: uncordons the node only when it was schedulable before containment and
 * removes our annotations; a node cordoned before stays cordoned. Reads the node back.
 */
export function rollbackEksNodeCordon(): StepHandler<'rollback.eks-node-cordon'> {
  return async (params, context) => {
    const { clusterName, nodeName, wasCordoned } = parsePreState(
      EksNodeCordonPreState,
      params.preState,
      'rollback.eks-node-cordon',
    );
    const cluster = await connectCluster(context, clusterName);
    const node = await readNode(cluster.core, nodeName);
    const ours = node.metadata?.annotations?.[CordonAnnotation.by] !== undefined;
    const uncordon = !wasCordoned && isCordoned(node);
    const changes = [
      ...(uncordon ? [`uncordon node ${nodeName}`] : []),
      ...(ours ? [`remove annotations ${CordonAnnotation.by}, ${CordonAnnotation.wasCordoned}`] : []),
    ];
    if (uncordon || ours) {
      await patchNode(
        cluster.core,
        nodeName,
        {
          metadata: { annotations: { [CordonAnnotation.by]: null, [CordonAnnotation.wasCordoned]: null } },
          ...(uncordon ? { spec: { unschedulable: null } } : {}),
        },
        context.dryRun,
      );
    }
    const result = { clusterName, nodeName, leftCordoned: wasCordoned };
    if (context.dryRun)
      return succeeded({ ...result, dryRun: true, dryRunMode: DRY_RUN_MODE, wouldChange: changes });
    const readBack = await readBackUntilVerified(
      async () => {
        const now = await readNode(cluster.core, nodeName);
        return {
          observed: { nodeName, unschedulable: isCordoned(now) },
          problems:
            isCordoned(now) === wasCordoned
              ? []
              : [`node ${nodeName} unschedulable is ${isCordoned(now)}, not ${wasCordoned}`],
        };
      },
      { signal: context.signal },
    );
    if (readBack.problems.length > 0) {
      throw new VerificationFailedError(`uncordon of node ${nodeName}`, readBack.problems, { nodeName });
    }
    context.logger.info({ clusterName, nodeName, leftCordoned: wasCordoned }, 'eks_node_cordon_rolled_back');
    return succeeded({ ...result, changes }, { verified: readBack.observed });
  };
}

/** The EC2 instance id from the node's `spec.providerID` (`aws:///<az>/<instance-id>`), when it has one. */
function instanceIdOf(node: V1Node): string | null {
  const match = /\/(i-[0-9a-f]+)$/.exec(node.spec?.providerID ?? '');
  return match?.[1] ?? null;
}
