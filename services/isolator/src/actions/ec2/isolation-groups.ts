import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  type EC2Client,
  type IpPermission,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
  type SecurityGroup,
} from '@aws-sdk/client-ec2';
import { hasErrorCode, UnexpectedAwsResponseError } from '../../errors.js';
import { IrTag, MANAGED_BY, tagList } from '../../aws/tags.js';

/** The two per-VPC groups: all-open (to untrack connections, TRAPS 2) and the isolation group. */
export type GroupRole = 'conversion' | 'isolation';

/** A group found or created, and what converging its rules changed (or would change, in dry-run). */
export interface EnsuredGroup {
  /** Undefined only in dry-run when the group does not exist yet. */
  readonly groupId: string | undefined;
  readonly groupName: string;
  readonly created: boolean;
  readonly changes: string[];
}

/** Settings of {@link ensureGroup}. */
export interface EnsureGroupSettings {
  readonly prefix: string;
  readonly forensicsCidr: string | undefined;
  readonly dryRun: boolean;
  readonly incidentId: string;
}

const ALL_TRAFFIC_V4: IpPermission = { IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] };
const ALL_TRAFFIC_V6: IpPermission = { IpProtocol: '-1', Ipv6Ranges: [{ CidrIpv6: '::/0' }] };

/** The name of a role's group in a VPC; the tag, not the name, is how it is found again. */
export function groupName(prefix: string, role: GroupRole, vpcId: string): string {
  return `${prefix}-${role}-${vpcId}`;
}

/** Finds the VPC's group of this role by tag (or, after a create race, by name). */
export async function findGroup(
  ec2: EC2Client,
  vpcId: string,
  role: GroupRole,
  name?: string,
): Promise<SecurityGroup | undefined> {
  const output = await ec2.send(
    new DescribeSecurityGroupsCommand({
      Filters: [
        { Name: 'vpc-id', Values: [vpcId] },
        name ? { Name: 'group-name', Values: [name] } : { Name: `tag:${IrTag.groupRole}`, Values: [role] },
      ],
    }),
  );
  return (output.SecurityGroups ?? [])
    .filter(
      (group) => name || group.Tags?.some((tag) => tag.Key === IrTag.managedBy && tag.Value === MANAGED_BY),
    )
    .sort((a, b) => (a.GroupId ?? '').localeCompare(b.GroupId ?? ''))[0];
}

/** The VPC's groups of both roles, found by tag in one DescribeSecurityGroups. */
async function findBothGroups(
  ec2: EC2Client,
  vpcId: string,
): Promise<Record<GroupRole, SecurityGroup | undefined>> {
  const output = await ec2.send(
    new DescribeSecurityGroupsCommand({
      Filters: [
        { Name: 'vpc-id', Values: [vpcId] },
        { Name: `tag:${IrTag.groupRole}`, Values: ['conversion', 'isolation'] },
      ],
    }),
  );
  const ours = (output.SecurityGroups ?? [])
    .filter((group) => group.Tags?.some((tag) => tag.Key === IrTag.managedBy && tag.Value === MANAGED_BY))
    .sort((a, b) => (a.GroupId ?? '').localeCompare(b.GroupId ?? ''));
  const withRole = (role: GroupRole) =>
    ours.find((group) => group.Tags?.some((tag) => tag.Key === IrTag.groupRole && tag.Value === role));
  return { conversion: withRole('conversion'), isolation: withRole('isolation') };
}

/**
 * Both groups an ENI move needs ({@link ensureGroup} for each), looked up together: one describe
 * instead of two on every containment.
 */
export async function ensureBothGroups(
  ec2: EC2Client,
  vpcId: string,
  settings: EnsureGroupSettings,
): Promise<Record<GroupRole, EnsuredGroup>> {
  const found = await findBothGroups(ec2, vpcId);
  return {
    conversion: await ensureGroup(ec2, vpcId, 'conversion', settings, found.conversion ?? null),
    isolation: await ensureGroup(ec2, vpcId, 'isolation', settings, found.isolation ?? null),
  };
}

/** Ingress rules the group should have. */
function desiredIngress(role: GroupRole, forensicsCidr: string | undefined): IpPermission[] {
  if (role === 'conversion') return [ALL_TRAFFIC_V4, ALL_TRAFFIC_V6];
  if (!forensicsCidr) return [];
  return [
    forensicsCidr.includes(':')
      ? { IpProtocol: '-1', Ipv6Ranges: [{ CidrIpv6: forensicsCidr }] }
      : { IpProtocol: '-1', IpRanges: [{ CidrIp: forensicsCidr }] },
  ];
}

/** Splits permissions into one address range each, so they compare and revoke one by one. */
export function flatten(permissions: readonly IpPermission[] = []): IpPermission[] {
  return permissions.flatMap((permission) => {
    const base = {
      IpProtocol: permission.IpProtocol,
      ...(permission.FromPort !== undefined ? { FromPort: permission.FromPort } : {}),
      ...(permission.ToPort !== undefined ? { ToPort: permission.ToPort } : {}),
    };
    return [
      ...(permission.IpRanges ?? []).map((range) => ({ ...base, IpRanges: [{ CidrIp: range.CidrIp }] })),
      ...(permission.Ipv6Ranges ?? []).map((range) => ({
        ...base,
        Ipv6Ranges: [{ CidrIpv6: range.CidrIpv6 }],
      })),
      ...(permission.PrefixListIds ?? []).map((list) => ({
        ...base,
        PrefixListIds: [{ PrefixListId: list.PrefixListId }],
      })),
      ...(permission.UserIdGroupPairs ?? []).map((pair) => ({
        ...base,
        UserIdGroupPairs: [{ GroupId: pair.GroupId }],
      })),
    ];
  });
}

/** A stable text form of one flattened permission, for comparing and for results. */
export function describePermission(permission: IpPermission): string {
  const source =
    permission.IpRanges?.[0]?.CidrIp ??
    permission.Ipv6Ranges?.[0]?.CidrIpv6 ??
    permission.PrefixListIds?.[0]?.PrefixListId ??
    permission.UserIdGroupPairs?.[0]?.GroupId ??
    '?';
  const ports =
    permission.IpProtocol === '-1' ? 'all' : `${permission.FromPort ?? ''}-${permission.ToPort ?? ''}`;
  return `${permission.IpProtocol}:${ports}:${source}`;
}

/**
 * Finds or creates the VPC's group of this role, tagged, and converges its rules: the conversion
 * group allows all traffic both ways (IPv4 and IPv6); the isolation group has no egress at all
 * (creation adds allow-all egress, TRAPS 1) and ingress only from the forensics CIDR, if any.
 * Safe to call concurrently: a lost create race finds the winner's group by name. `found` is the
 * group already looked up (null: looked up and absent); undefined looks it up here.
 */
export async function ensureGroup(
  ec2: EC2Client,
  vpcId: string,
  role: GroupRole,
  settings: EnsureGroupSettings,
  found?: SecurityGroup | null,
): Promise<EnsuredGroup> {
  const name = groupName(settings.prefix, role, vpcId);
  const changes: string[] = [];
  let group = found === undefined ? await findGroup(ec2, vpcId, role) : (found ?? undefined);
  let created = false;
  if (!group) {
    if (settings.dryRun) {
      const desired = [...desiredIngress(role, settings.forensicsCidr)].map(describePermission);
      changes.push(`create security group ${name} in ${vpcId}`);
      changes.push(...desired.map((rule) => `authorize ingress ${rule} on ${name}`));
      if (role === 'isolation') changes.push(`revoke every egress rule of ${name}`);
      else changes.push(`authorize egress -1:all:::/0 on ${name}`);
      return { groupId: undefined, groupName: name, created: false, changes };
    }
    group = await createGroup(ec2, vpcId, role, name, settings.incidentId);
    created = true;
    changes.push(`created security group ${group.GroupId} (${name})`);
  }
  const groupId = group.GroupId;
  if (!groupId) throw new UnexpectedAwsResponseError(`security group ${name} has no id`);
  const ingress = desiredIngress(role, settings.forensicsCidr);
  const egress = role === 'conversion' ? [ALL_TRAFFIC_V4, ALL_TRAFFIC_V6] : [];
  changes.push(
    ...(await converge(ec2, groupId, 'ingress', flatten(group.IpPermissions), ingress, settings.dryRun)),
  );
  changes.push(
    ...(await converge(ec2, groupId, 'egress', flatten(group.IpPermissionsEgress), egress, settings.dryRun)),
  );
  return { groupId, groupName: name, created, changes };
}

async function createGroup(
  ec2: EC2Client,
  vpcId: string,
  role: GroupRole,
  name: string,
  incidentId: string,
): Promise<SecurityGroup> {
  try {
    const output = await ec2.send(
      new CreateSecurityGroupCommand({
        GroupName: name,
        VpcId: vpcId,
        Description:
          role === 'isolation'
            ? 'IR isolation: no egress, ingress only from the forensics CIDR'
            : 'IR conversion: all traffic both ways, so tracked connections become untracked',
        TagSpecifications: [
          {
            ResourceType: 'security-group',
            Tags: tagList({
              Name: name,
              [IrTag.groupRole]: role,
              [IrTag.managedBy]: MANAGED_BY,
              'ir:created-for-incident': incidentId,
            }),
          },
        ],
      }),
    );
    if (!output.GroupId) throw new UnexpectedAwsResponseError(`CreateSecurityGroup ${name} returned no id`);
  } catch (error: unknown) {
    if (!hasErrorCode(error, 'InvalidGroup.Duplicate')) throw error;
  }
  const group = await findGroup(ec2, vpcId, role, name);
  if (!group) throw new UnexpectedAwsResponseError(`security group ${name} not found after creating it`);
  return group;
}

/** Revokes what should not be there and authorizes what is missing; returns what it changed. */
async function converge(
  ec2: EC2Client,
  groupId: string,
  direction: 'ingress' | 'egress',
  current: IpPermission[],
  desired: IpPermission[],
  dryRun: boolean,
): Promise<string[]> {
  const wanted = new Set(desired.map(describePermission));
  const have = new Set(current.map(describePermission));
  const revoke = current.filter((permission) => !wanted.has(describePermission(permission)));
  const authorize = desired.filter((permission) => !have.has(describePermission(permission)));
  const changes = [
    ...revoke.map((p) => `revoke ${direction} ${describePermission(p)} on ${groupId}`),
    ...authorize.map((p) => `authorize ${direction} ${describePermission(p)} on ${groupId}`),
  ];
  if (dryRun) return changes;
  if (revoke.length > 0) {
    const send = (permissions: IpPermission[]) => {
      const input = { GroupId: groupId, IpPermissions: permissions };
      return direction === 'egress'
        ? ec2.send(new RevokeSecurityGroupEgressCommand(input))
        : ec2.send(new RevokeSecurityGroupIngressCommand(input));
    };
    try {
      await send(revoke);
    } catch (error: unknown) {
      // `InvalidPermission.NotFound`: a rule is gone already, most often because this very call was
      // applied and its answer lost, so the SDK's retry found nothing to revoke (TRAPS 24); or another
      // containment revoked it first. AWS refuses the whole call then, so revoke what is still there
      // one rule at a time; the read-back after the ENI moves checks the group either way.
      if (!hasErrorCode(error, 'InvalidPermission.NotFound')) throw error;
      const group = (await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] })))
        .SecurityGroups?.[0];
      const left = new Set(
        flatten(direction === 'egress' ? group?.IpPermissionsEgress : group?.IpPermissions).map(
          describePermission,
        ),
      );
      for (const permission of revoke.filter((p) => left.has(describePermission(p)))) {
        await send([permission]).catch((retryError: unknown) => {
          if (!hasErrorCode(retryError, 'InvalidPermission.NotFound')) throw retryError;
        });
      }
    }
  }
  for (const permission of authorize) {
    const input = { GroupId: groupId, IpPermissions: [permission] };
    try {
      if (direction === 'egress') await ec2.send(new AuthorizeSecurityGroupEgressCommand(input));
      else await ec2.send(new AuthorizeSecurityGroupIngressCommand(input));
    } catch (error: unknown) {
      // Another containment in the same VPC converged the same rule first.
      if (!hasErrorCode(error, 'InvalidPermission.Duplicate')) throw error;
    }
  }
  return changes;
}
