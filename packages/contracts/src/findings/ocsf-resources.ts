import { z } from 'zod';
import { AwsRegion } from '../primitives.js';
import { type Resource, unqualifiedFunctionArn } from '../resource.js';
import type { NetworkInterface, Tags } from '../resource-parts.js';
import { arnTail } from './guardduty-workloads.js';
import { defined, isRecord, orNull, unique } from './shared.js';

/*
 * OCSF `resources[]` (the `resource_details` object) into `Resource`s. The type may be written the
 * CloudFormation way (`AWS::EC2::Instance`, as Security Hub writes it) or the ASFF way
 * (`AwsEc2Instance`); both are compared without `::` and case. `data` is free-form in OCSF: Security
 * Hub puts the producer's own details there (GuardDuty's in snake_case: `access_key_id`,
 * `user_type`), so fields are read under snake_case, camelCase and PascalCase names alike. A type
 * with no kind becomes `other` under its ASFF-style name (`AwsCloudTrailTrail`), so the playbooks'
 * ASFF-based lookups (trail, security group) read OCSF findings too.
 */

const text = orNull(z.string());

/** One OCSF `resource_details`: what the mapping reads. */
export const OcsfResource = z.object({
  type: z.string().min(1),
  uid: text,
  uid_alt: text,
  name: text,
  region: text,
  tags: z.unknown().optional(),
  labels: orNull(z.array(z.string())),
  data: z.unknown().optional(),
  owner: orNull(z.object({ account: orNull(z.object({ uid: text })) })),
});
/** @see OcsfResource */
export type OcsfResource = z.infer<typeof OcsfResource>;

/** `type` without `::` and case: `AWS::EC2::Instance` and `AwsEc2Instance` are both `awsec2instance`. */
function typeKey(type: string): string {
  return type.replaceAll('::', '').toLowerCase();
}

/** `AWS::CloudTrail::Trail` → `AwsCloudTrailTrail`; an ASFF type is returned as it is. */
export function asffType(type: string): string {
  if (!type.includes('::')) return type;
  return type
    .split('::')
    .map((part) =>
      /^[A-Z0-9]+$/.test(part)
        ? part.charAt(0) + part.slice(1).toLowerCase()
        : part.charAt(0).toUpperCase() + part.slice(1),
    )
    .join('');
}

/** A field of `data` under any of its spellings (`access_key_id`, `accessKeyId`, `AccessKeyId`). */
function field(data: unknown, snake: string): unknown {
  if (!isRecord(data)) return undefined;
  const camel = snake.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
  const pascal = camel.charAt(0).toUpperCase() + camel.slice(1);
  return data[snake] ?? data[camel] ?? data[pascal];
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** OCSF tags: a list of `{name, value}` (or `{key, value}`), or a plain map. */
export function ocsfTags(tags: unknown): Tags {
  if (Array.isArray(tags)) {
    return Object.fromEntries(
      tags.flatMap((tag) => {
        const name = isRecord(tag) ? (str(tag.name) ?? str(tag.key) ?? str(tag.Key)) : undefined;
        const value = isRecord(tag) ? (tag.value ?? tag.Value) : undefined;
        return name ? [[name, typeof value === 'string' ? value : '']] : [];
      }),
    );
  }
  if (isRecord(tags))
    return Object.fromEntries(
      Object.entries(tags).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
    );
  return {};
}

/** Labels written `key=value` (or `key:value`) as a map; a bare label maps to `''`. */
function labelMap(labels: readonly string[] | undefined): Tags {
  return Object.fromEntries(
    (labels ?? []).map((label) => {
      const at = label.search(/[=:]/);
      return at < 0 ? [label, ''] : [label.slice(0, at), label.slice(at + 1)];
    }),
  );
}

/** The resource an OCSF `resources[]` entry names; `undefined` when it has neither uid nor name. */
export function resourceFromOcsf(resource: OcsfResource): Resource | undefined {
  const id = resource.uid ?? resource.name;
  if (!id) return undefined;
  const data = resource.data;
  const tags = ocsfTags(resource.tags);
  const region =
    resource.region && AwsRegion.safeParse(resource.region).success ? { region: resource.region } : {};
  const isArn = id.startsWith('arn:');
  const name = resource.name ?? (isArn ? arnTail(id) : id);
  switch (typeKey(resource.type)) {
    case 'awsec2instance':
      return {
        kind: 'ec2-instance',
        instanceId: isArn ? arnTail(id) : id,
        ...defined({
          instanceType: str(field(data, 'instance_type')) ?? str(field(data, 'type')),
          imageId: str(field(data, 'image_id')),
          iamInstanceProfileArn: str(field(field(data, 'iam_instance_profile'), 'arn')),
        }),
        tags,
        networkInterfaces: networkInterfaces(field(data, 'network_interfaces')),
        ...region,
      };
    case 'awsiamaccesskey': {
      const userType = str(field(data, 'user_type')) ?? str(field(data, 'principal_type')) ?? 'Unknown';
      const userName = str(field(data, 'user_name')) ?? str(field(data, 'principal_name')) ?? resource.name;
      const keyId = str(field(data, 'access_key_id')) ?? id;
      return {
        kind: 'iam-access-key',
        ...(/^(AKIA|ASIA)[A-Z0-9]+$/.test(keyId) ? { accessKeyId: keyId } : {}),
        ...defined({
          principalId: str(field(data, 'principal_id')),
          // As in GuardDuty: for an assumed role the user name is the role's (maybe `role/session`).
          ...(userType === 'AssumedRole' ? { roleName: userName?.split('/')[0] } : { userName }),
        }),
        userType,
      };
    }
    case 'awsiamuser':
      return { kind: 'iam-access-key', userType: 'IAMUser', userName: name };
    case 'awsiamrole':
      return {
        kind: 'iam-access-key',
        userType: 'AssumedRole',
        roleName: name,
        ...(isArn ? { roleArn: id } : {}),
      };
    case 'awss3bucket': {
      const bucket = isArn ? id.slice(id.lastIndexOf(':') + 1) : (resource.name ?? id);
      return { kind: 's3-bucket', bucketName: bucket, ...(isArn ? { arn: id } : {}), tags, ...region };
    }
    case 'awss3object': {
      const path = isArn ? id.slice(id.indexOf(':::') + 3) : id;
      const slash = path.indexOf('/');
      const bucketName = str(field(data, 'bucket_name')) ?? (slash > 0 ? path.slice(0, slash) : undefined);
      const key = str(field(data, 'key')) ?? (slash > 0 ? path.slice(slash + 1) : undefined);
      if (!bucketName || !key) return other(resource, id);
      return {
        kind: 's3-object',
        bucketName,
        key,
        ...defined({
          versionId: str(field(data, 'version_id')),
          eTag: str(field(data, 'e_tag')) ?? str(field(data, 'etag')),
          hash: str(field(data, 'hash')),
          objectArn: isArn ? id : undefined,
        }),
        tags,
        ...region,
      };
    }
    case 'awsekscluster':
      return {
        kind: 'eks-cluster',
        clusterName: name,
        ...(isArn ? { clusterArn: id } : {}),
        tags,
        ...region,
      };
    case 'awsecscluster':
      return {
        kind: 'ecs-cluster',
        clusterName: name,
        ...(isArn ? { clusterArn: id } : {}),
        tags,
        ...region,
      };
    case 'awsecstask': {
      const segments = id.split('/');
      return {
        kind: 'ecs-task',
        taskArn: id,
        ...defined({
          clusterName: segments.length === 3 ? segments[1] : undefined,
          taskDefinitionArn: str(field(data, 'task_definition_arn')),
          launchType: str(field(data, 'launch_type')),
        }),
        containers: [],
        networkInterfaces: networkInterfaces(field(data, 'network_interfaces')),
        tags,
        ...region,
      };
    }
    case 'awslambdafunction': {
      const arn = isArn ? unqualifiedFunctionArn(id) : undefined;
      return {
        kind: 'lambda-function',
        functionName: resource.name ?? (arn ? arn.slice(arn.lastIndexOf(':') + 1) : id),
        ...defined({
          functionArn: arn,
          version: str(field(data, 'function_version')) ?? str(field(data, 'version')),
          roleArn: str(field(data, 'role')),
        }),
        tags,
        ...region,
      };
    }
    case 'awsrdsdbinstance':
      return {
        kind: 'rds-database',
        // arn:aws:rds:region:account:db:<identifier>
        dbInstanceIdentifier: isArn ? id.slice(id.lastIndexOf(':') + 1) : (resource.name ?? id),
        ...defined({
          dbInstanceArn: isArn ? id : undefined,
          dbClusterIdentifier: str(field(data, 'db_cluster_identifier')),
          engine: str(field(data, 'engine')),
        }),
        tags,
        ...region,
      };
    case 'awsrdsdbcluster':
      return {
        kind: 'rds-database',
        dbClusterIdentifier: isArn ? id.slice(id.lastIndexOf(':') + 1) : (resource.name ?? id),
        ...defined({ engine: str(field(data, 'engine')) }),
        tags,
        ...region,
      };
    case 'awsekspod':
    case 'kubernetespod': {
      const cluster = str(field(data, 'cluster_name'));
      const namespace = str(field(data, 'namespace'));
      if (!cluster || !namespace) return other(resource, id);
      return {
        kind: 'eks-workload',
        clusterName: cluster,
        namespace,
        workloadName: resource.name ?? id,
        workloadType: 'pods',
        ...defined({ uid: resource.uid ?? undefined }),
        containers: [],
        labels: labelMap(resource.labels),
        tags,
        ...region,
      };
    }
    default:
      return other(resource, id);
  }
}

function other(resource: OcsfResource, id: string): Resource {
  return { kind: 'other', resourceType: asffType(resource.type), id };
}

/** ENIs given in `data.network_interfaces` (GuardDuty's `instanceDetails` in snake_case). */
function networkInterfaces(value: unknown): NetworkInterface[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((eni): NetworkInterface[] => {
    const id = str(field(eni, 'network_interface_id'));
    if (!id) return [];
    const groups = field(eni, 'security_groups');
    const privateIps = field(eni, 'private_ip_addresses');
    return [
      {
        networkInterfaceId: id,
        ...defined({ vpcId: str(field(eni, 'vpc_id')), subnetId: str(field(eni, 'subnet_id')) }),
        securityGroups: Array.isArray(groups)
          ? groups.flatMap((group) => {
              const groupId = str(field(group, 'group_id'));
              return groupId ? [{ groupId, ...defined({ groupName: str(field(group, 'group_name')) }) }] : [];
            })
          : [],
        privateIpv4: unique(
          [
            str(field(eni, 'private_ip_address')),
            ...(Array.isArray(privateIps) ? privateIps.map((a) => str(field(a, 'private_ip_address'))) : []),
          ].filter((ip) => ip === undefined || z.ipv4().safeParse(ip).success),
        ),
        publicIpv4: unique(
          [str(field(eni, 'public_ip'))].filter((ip) => ip === undefined || z.ipv4().safeParse(ip).success),
        ),
        ipv6: [],
      },
    ];
  });
}
