import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { DescribeSecurityGroupsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { ReadBack } from '../../aws/read-back.js';
import {
  autoScalingGroupOf,
  describeInstance,
  type InstancePreState,
  interfacesOf,
  readProtections,
  targetRegistrationsOf,
  volumesOf,
} from './instance-pre-state.js';
import { describePermission, flatten } from './isolation-groups.js';
import { PROTECTED } from './protections.js';

/** Clients a read-back of an instance needs. */
export interface InstanceClients {
  readonly ec2: EC2Client;
  readonly autoScaling: AutoScalingClient;
  readonly elbv2: ElasticLoadBalancingV2Client;
}

/** Everything about the instance that containment changes, read back from AWS. */
async function observe(clients: InstanceClients, instanceId: string) {
  const instance = await describeInstance(clients.ec2, instanceId);
  const [protections, autoScalingGroupName, targets] = await Promise.all([
    readProtections(clients.ec2, instanceId),
    autoScalingGroupOf(clients.autoScaling, instanceId),
    targetRegistrationsOf(clients.elbv2, instance),
  ]);
  return {
    networkInterfaces: interfacesOf(instance),
    protections,
    volumes: volumesOf(instance),
    autoScalingGroupName,
    targets,
  };
}

/**
 * Reads the instance and the isolation group back and lists every way they fall short of isolated
 * (TRAPS 1, 3–6): an ENI with any other group, an egress rule on the isolation group, ingress other
 * than the forensics CIDR, protection off, a volume that would be deleted, ASG or target group
 * membership left.
 */
export async function readBackContained(
  clients: InstanceClients,
  instanceId: string,
  isolationGroupId: string,
  forensicsCidr: string | undefined,
): Promise<ReadBack<Record<string, unknown>>> {
  const seen = await observe(clients, instanceId);
  const group = (await clients.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [isolationGroupId] })))
    .SecurityGroups?.[0];
  const egress = flatten(group?.IpPermissionsEgress).map(describePermission);
  const ingress = flatten(group?.IpPermissions).map(describePermission);
  const problems = interfacesNotIsolated(seen.networkInterfaces, isolationGroupId);
  if (!group) problems.push(`isolation group ${isolationGroupId} not found`);
  if (egress.length > 0) problems.push(`isolation group has egress rules: ${egress.join(', ')}`);
  const allowedIngress = forensicsCidr ? [`-1:all:${forensicsCidr}`] : [];
  const extraIngress = ingress.filter((rule) => !allowedIngress.includes(rule));
  if (extraIngress.length > 0) problems.push(`isolation group has ingress rules: ${extraIngress.join(', ')}`);
  if (!seen.protections.disableApiTermination) problems.push('termination protection is off');
  if (!seen.protections.disableApiStop) problems.push('stop protection is off');
  if (seen.protections.shutdownBehavior !== PROTECTED.shutdownBehavior)
    problems.push('shutdown behaviour is terminate');
  for (const volume of seen.volumes.filter((v) => v.deleteOnTermination)) {
    problems.push(`${volume.volumeId} is deleted on termination`);
  }
  if (seen.autoScalingGroupName) problems.push(`still in Auto Scaling group ${seen.autoScalingGroupName}`);
  for (const target of seen.targets) problems.push(`still registered in ${target.targetGroupArn}`);
  return {
    observed: {
      ...seen,
      isolationGroup: { groupId: isolationGroupId, egressRules: egress, ingressRules: ingress },
    },
    problems,
  };
}

/**
 * Every ENI whose groups are anything but the isolation group alone. Why "alone": an ENI that keeps
 * any other group keeps that group's rules, so it is not isolated. Some emulator versions (moto 5.2.6)
 * append the groups given to ModifyNetworkInterfaceAttribute instead of replacing them (AWS replaces
 * them); this check then reports the instance not isolated, which is right, and is why the harness
 * pins moto 5.2.5 (MOTO_VERSION in @ir/testkit).
 */
export function interfacesNotIsolated(
  interfaces: readonly { readonly networkInterfaceId: string; readonly groupIds: readonly string[] }[],
  isolationGroupId: string,
): string[] {
  return interfaces
    .filter((eni) => eni.groupIds.length !== 1 || eni.groupIds[0] !== isolationGroupId)
    .map((eni) => `${eni.networkInterfaceId} has groups ${eni.groupIds.join(', ') || '(none)'}`);
}

/** Reads the instance back and lists every way it differs from the recorded pre-state. */
export async function readBackRestored(
  clients: InstanceClients,
  preState: InstancePreState,
  notRestored: ReadonlySet<string>,
): Promise<ReadBack<Record<string, unknown>>> {
  const seen = await observe(clients, preState.instanceId);
  const problems: string[] = [];
  for (const eni of preState.networkInterfaces) {
    if (notRestored.has(eni.networkInterfaceId)) continue;
    const now = seen.networkInterfaces.find(
      (candidate) => candidate.networkInterfaceId === eni.networkInterfaceId,
    );
    if (!now || !sameSet(now.groupIds, eni.groupIds)) {
      problems.push(
        `${eni.networkInterfaceId} has groups ${now?.groupIds.join(', ') ?? '(detached)'}, expected ${eni.groupIds.join(', ')}`,
      );
    }
  }
  for (const key of ['disableApiTermination', 'disableApiStop', 'shutdownBehavior'] as const) {
    if (seen.protections[key] !== preState.attributes[key]) {
      problems.push(`${key} is ${seen.protections[key]}, expected ${preState.attributes[key]}`);
    }
  }
  for (const volume of preState.volumes) {
    const now = seen.volumes.find((candidate) => candidate.volumeId === volume.volumeId);
    if (now && now.deleteOnTermination !== volume.deleteOnTermination) {
      problems.push(
        `${volume.volumeId} DeleteOnTermination is ${now.deleteOnTermination}, expected ${volume.deleteOnTermination}`,
      );
    }
  }
  if (preState.autoScalingGroupName !== seen.autoScalingGroupName && !notRestored.has('auto-scaling')) {
    problems.push(
      `Auto Scaling group is ${seen.autoScalingGroupName ?? '(none)'}, expected ${preState.autoScalingGroupName ?? '(none)'}`,
    );
  }
  for (const target of preState.targets) {
    const registered = seen.targets.some(
      (t) => t.targetGroupArn === target.targetGroupArn && t.id === target.id,
    );
    if (!registered) problems.push(`${target.id} not registered in ${target.targetGroupArn}`);
  }
  return { observed: seen, problems };
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().join(',') === [...b].sort().join(',');
}
