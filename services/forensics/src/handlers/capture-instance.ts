import { AutoScalingClient, DescribeAutoScalingInstancesCommand } from '@aws-sdk/client-auto-scaling';
import {
  DescribeInstanceAttributeCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  GetConsoleOutputCommand,
} from '@aws-sdk/client-ec2';
import {
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { IAMClient } from '@aws-sdk/client-iam';
import { roleDetails, instanceProfileOf } from '../iam/principal-details.js';
import { describeInstance } from './instance-lookup.js';
import { readSection, type SectionGap, withoutMetadata } from './sections.js';
import { type StepHandler, succeeded } from '@ir/runtime';
import type { ActionDeps } from './types.js';

const decode = (base64: string | undefined) =>
  base64 ? Buffer.from(base64, 'base64').toString('utf8') : null;

/**
 * evidence.capture-instance: the instance as AWS describes it, in one artifact (`instance.json`):
 * every ENI, the security groups with their rules, the instance profile's role with attached and
 * inline policies, user data, console output, Auto Scaling and target-group membership, and tags.
 * A section a permission does not cover is recorded under `gaps` rather than failing the capture.
 */
export function captureInstance(deps: ActionDeps): StepHandler<'evidence.capture-instance'> {
  return async ({ instanceId }, context) => {
    const { command } = context;
    const ec2 = await context.client(EC2Client);
    const instance = await describeInstance(ec2, instanceId);
    const gaps: SectionGap[] = [];

    const networkInterfaces = await readSection('networkInterfaces', gaps, async () => {
      const output = await ec2.send(
        new DescribeNetworkInterfacesCommand({
          Filters: [{ Name: 'attachment.instance-id', Values: [instanceId] }],
        }),
      );
      return (output.NetworkInterfaces ?? []).sort(
        (a, b) => (a.Attachment?.DeviceIndex ?? 0) - (b.Attachment?.DeviceIndex ?? 0),
      );
    });
    const groupIds = [
      ...new Set(
        (networkInterfaces ?? instance.NetworkInterfaces ?? []).flatMap((eni) =>
          (eni.Groups ?? []).flatMap((group) => (group.GroupId ? [group.GroupId] : [])),
        ),
      ),
    ];
    const securityGroups = await readSection('securityGroups', gaps, async () =>
      groupIds.length === 0
        ? []
        : ((await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: groupIds }))).SecurityGroups ?? []),
    );
    const userData = await readSection('userData', gaps, async () => {
      const output = await ec2.send(
        new DescribeInstanceAttributeCommand({ InstanceId: instanceId, Attribute: 'userData' }),
      );
      return { base64: output.UserData?.Value ?? null, text: decode(output.UserData?.Value) };
    });
    const consoleOutput = await readSection('consoleOutput', gaps, async () => {
      const output = await ec2.send(new GetConsoleOutputCommand({ InstanceId: instanceId, Latest: true }));
      return { timestamp: output.Timestamp?.toISOString() ?? null, text: decode(output.Output) };
    });
    const iam = await context.client(IAMClient);
    const instanceProfile = instance.IamInstanceProfile?.Arn
      ? await readSection('instanceProfile', gaps, async () => {
          const profile = await instanceProfileOf(iam, instance.IamInstanceProfile?.Arn ?? '');
          const roles = [];
          for (const role of profile.Roles ?? []) {
            if (role.RoleName) roles.push(await roleDetails(iam, role.RoleName));
          }
          return { ...profile, Roles: roles };
        })
      : null;
    const autoScaling = await readSection('autoScaling', gaps, async () => {
      const client = await context.client(AutoScalingClient);
      const output = await client.send(
        new DescribeAutoScalingInstancesCommand({ InstanceIds: [instanceId] }),
      );
      return output.AutoScalingInstances ?? [];
    });
    const targetGroups = await readSection('targetGroups', gaps, async () =>
      targetGroupMembership(await context.client(ElasticLoadBalancingV2Client), instanceId, instance.VpcId),
    );

    const artifactName = 'instance.json';
    if (command.dryRun) {
      return succeeded({
        dryRun: true,
        instanceId,
        networkInterfaces: (networkInterfaces ?? []).map((eni) => eni.NetworkInterfaceId),
        gaps,
        wouldWrite: [
          deps.store.keyOf({
            incidentId: command.incidentId,
            stepId: command.payload.stepId,
            name: artifactName,
          }),
        ],
      });
    }
    const document = {
      capturedAt: deps.now().toISOString(),
      target: command.payload.target,
      instance,
      tags: Object.fromEntries((instance.Tags ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? ''])),
      networkInterfaces,
      securityGroups,
      instanceProfile,
      userData,
      consoleOutput,
      autoScaling,
      targetGroups,
      gaps,
    };
    const artifact = await deps.store.put({
      incidentId: command.incidentId,
      stepId: command.payload.stepId,
      action: command.type,
      name: artifactName,
      contentType: 'application/json',
      sourceAccount: command.payload.target.accountId,
      body: JSON.stringify(document, null, 2),
    });
    return succeeded({
      instanceId,
      networkInterfaces: (networkInterfaces ?? []).map((eni) => eni.NetworkInterfaceId),
      securityGroups: groupIds,
      gaps,
      artifact,
    });
  };
}

/** Target groups in the instance's VPC that have it registered (paginated; TRAPS 5). */
async function targetGroupMembership(
  elb: ElasticLoadBalancingV2Client,
  instanceId: string,
  vpcId: string | undefined,
): Promise<Array<{ targetGroupArn: string; targets: unknown[] }>> {
  const memberships: Array<{ targetGroupArn: string; targets: unknown[] }> = [];
  let marker: string | undefined;
  do {
    const page = await elb.send(new DescribeTargetGroupsCommand({ ...(marker ? { Marker: marker } : {}) }));
    for (const group of page.TargetGroups ?? []) {
      if (!group.TargetGroupArn || group.TargetType !== 'instance' || (vpcId && group.VpcId !== vpcId))
        continue;
      const health = await elb.send(
        new DescribeTargetHealthCommand({ TargetGroupArn: group.TargetGroupArn }),
      );
      const targets = (health.TargetHealthDescriptions ?? []).filter((t) => t.Target?.Id === instanceId);
      if (targets.length > 0) {
        memberships.push({
          targetGroupArn: group.TargetGroupArn,
          targets: targets.map((t) => withoutMetadata(t)),
        });
      }
    }
    marker = page.NextMarker;
  } while (marker);
  return memberships;
}
