import { z } from 'zod';
import type {
  AttackSequence,
  SequenceActor,
  SequenceEndpoint,
  SequenceResourceRef,
} from '../attack-sequence.js';
import { indicatorValueLimit } from '../attack-sequence.js';
import { AwsRegion } from '../primitives.js';
import { type Resource, resourceKey } from '../resource.js';
import type { NetworkInterface } from '../resource-parts.js';
import { arnTail } from './guardduty-workloads.js';
import { defined, isoTime, orNull, strings, tagsFromList, unique } from './shared.js';

/*
 * GuardDuty Extended Threat Detection attack sequences (`service.detection.sequence`, API reference
 * `Sequence`, `Signal`, `ResourceV2`, `ResourceData`, `Actor`, `NetworkEndpoint`, `Indicator`).
 * Every resource of the sequence becomes a `Resource` (ENIs join the instance that lists them), so
 * a playbook step can contain each one; signals, actors, endpoints and indicators are kept as the
 * finding's `sequence`.
 */

const text = orNull(z.string());
const texts = orNull(z.array(z.string()));
const Tag = z.object({ key: z.string(), value: text });

const SecurityGroup = z.object({ groupId: z.string().min(1), groupName: text });

const ResourceData = z.object({
  ec2Instance: orNull(
    z.object({
      instanceType: text,
      iamInstanceProfile: orNull(z.object({ arn: text })),
      IamInstanceProfile: orNull(z.object({ arn: text })),
      ec2NetworkInterfaceUids: texts,
    }),
  ),
  ec2NetworkInterface: orNull(
    z.object({
      vpcId: text,
      subNetId: text,
      publicIp: orNull(z.ipv4()),
      ipv6Addresses: orNull(z.array(z.ipv6())),
      privateIpAddresses: orNull(z.array(z.object({ privateIpAddress: orNull(z.ipv4()) }))),
      securityGroups: orNull(z.array(SecurityGroup)),
    }),
  ),
  accessKey: orNull(z.object({ principalId: text, userName: text, userType: text })),
  s3Object: orNull(z.object({ key: text, versionId: text, eTag: text })),
  eksCluster: orNull(z.object({ arn: text, vpcId: text, status: text })),
  kubernetesWorkload: orNull(z.object({ namespace: text, type: text })),
  container: orNull(z.object({ image: text })),
  ecsTask: orNull(z.object({ taskDefinitionArn: text, launchType: text })),
});

/** `ResourceV2`: a resource of the sequence. */
const ResourceV2 = z.object({
  uid: z.string().min(1),
  name: text,
  accountId: text,
  resourceType: z.string().min(1),
  region: text,
  tags: orNull(z.array(Tag)),
  data: orNull(ResourceData),
});
type ResourceV2 = z.infer<typeof ResourceV2>;

/** `service.detection.sequence`. */
export const GuardDutySequence = z.object({
  uid: z.string().min(1),
  description: text,
  additionalSequenceTypes: texts,
  signals: orNull(
    z.array(
      z.object({
        uid: z.string().min(1),
        type: z.string().min(1),
        name: text,
        description: text,
        severity: orNull(z.number()),
        count: orNull(z.number().int()),
        firstSeenAt: z.unknown().optional(),
        lastSeenAt: z.unknown().optional(),
        resourceUids: texts,
        actorIds: texts,
        endpointIds: texts,
      }),
    ),
  ),
  resources: orNull(z.array(ResourceV2)),
  actors: orNull(
    z.array(
      z.object({
        id: z.string().min(1),
        user: orNull(
          z.object({
            name: text,
            uid: text,
            type: text,
            credentialUid: text,
            account: orNull(z.object({ uid: text })),
          }),
        ),
        session: orNull(z.object({ mfaStatus: text, issuer: text })),
        process: orNull(z.object({ name: text, path: text, sha256: text })),
      }),
    ),
  ),
  endpoints: orNull(
    z.array(
      z.object({
        id: z.string().min(1),
        ip: text,
        domain: text,
        port: orNull(z.number().int()),
        location: orNull(z.object({ country: text })),
        autonomousSystem: orNull(z.object({ name: text })),
      }),
    ),
  ),
  sequenceIndicators: orNull(z.array(z.object({ key: z.string().min(1), values: texts, title: text }))),
});
/** @see GuardDutySequence */
export type GuardDutySequence = z.infer<typeof GuardDutySequence>;

/** The resources of a sequence and the sequence itself, normalised. */
export interface NormalisedSequence {
  readonly resources: Resource[];
  readonly sequence: AttackSequence;
}

/** Normalises `service.detection.sequence`. */
export function sequenceOf(sequence: GuardDutySequence): NormalisedSequence {
  const all = sequence.resources ?? [];
  const enis = new Map(all.filter((r) => r.resourceType === 'EC2_NETWORK_INTERFACE').map((r) => [r.uid, r]));
  const built = all.map((item) =>
    item.resourceType === 'EC2_NETWORK_INTERFACE' ? undefined : resourceOf(item, all, enis),
  );
  // An ENI the sequence lists under an instance (`ec2NetworkInterfaceUids`) is part of that instance.
  const owners = new Map<string, string>();
  built.forEach((resource, index) => {
    if (resource?.kind !== 'ec2-instance') return;
    for (const uid of strings(all[index]?.data?.ec2Instance?.ec2NetworkInterfaceUids))
      if (enis.has(uid)) owners.set(uid, resourceKey(resource));
  });
  const byKey = new Map<string, Resource>();
  const refs: SequenceResourceRef[] = all.map((item, index) => {
    const owner = owners.get(item.uid);
    if (owner) return ref(item, owner);
    const resource = built[index] ?? other(item);
    const key = resourceKey(resource);
    if (!byKey.has(key)) byKey.set(key, resource);
    return ref(item, key);
  });
  return {
    resources: [...byKey.values()],
    sequence: {
      uid: sequence.uid,
      ...defined({ description: sequence.description }),
      additionalTypes: strings(sequence.additionalSequenceTypes),
      signals: (sequence.signals ?? []).map((signal) => ({
        uid: signal.uid,
        type: signal.type,
        ...defined({
          name: signal.name,
          description: signal.description,
          severity: signal.severity,
          count: signal.count,
          firstSeenAt: isoTime(signal.firstSeenAt, 'seconds'),
          lastSeenAt: isoTime(signal.lastSeenAt, 'seconds'),
        }),
        resourceUids: strings(signal.resourceUids),
        actorIds: strings(signal.actorIds),
        endpointIds: strings(signal.endpointIds),
      })),
      resources: refs,
      actors: (sequence.actors ?? []).map(
        (actor): SequenceActor => ({
          id: actor.id,
          ...defined({
            userName: actor.user?.name,
            userUid: actor.user?.uid,
            userType: actor.user?.type,
            accessKeyId: actor.user?.credentialUid,
            accountId: actor.user?.account?.uid,
            sessionIssuer: actor.session?.issuer,
            mfaStatus: actor.session?.mfaStatus,
            processName: actor.process?.name,
            processPath: actor.process?.path,
            processSha256: actor.process?.sha256,
          }),
        }),
      ),
      endpoints: (sequence.endpoints ?? []).map(
        (endpoint): SequenceEndpoint => ({
          id: endpoint.id,
          ...defined({
            ip: endpoint.ip,
            domain: endpoint.domain,
            port: endpoint.port,
            country: endpoint.location?.country,
            asnName: endpoint.autonomousSystem?.name,
          }),
        }),
      ),
      indicators: (sequence.sequenceIndicators ?? []).map((indicator) => ({
        key: indicator.key,
        ...defined({ title: indicator.title }),
        values: strings(indicator.values).slice(0, indicatorValueLimit),
      })),
    },
  };
}

function ref(item: ResourceV2, key: string): SequenceResourceRef {
  return {
    uid: item.uid,
    type: item.resourceType,
    ...defined({ name: item.name, accountId: item.accountId, region: item.region }),
    key,
  };
}

/** The `Resource` a `ResourceV2` becomes; `other` when its type has no kind or lacks what names it. */
function resourceOf(item: ResourceV2, all: readonly ResourceV2[], enis: Map<string, ResourceV2>): Resource {
  const common = {
    tags: tagsFromList(item.tags),
    ...(item.region && AwsRegion.safeParse(item.region).success ? { region: item.region } : {}),
  };
  const data = item.data;
  const name = item.name ?? undefined;
  switch (item.resourceType) {
    case 'EC2_INSTANCE': {
      const instance = data?.ec2Instance;
      const profile = instance?.iamInstanceProfile ?? instance?.IamInstanceProfile;
      return {
        kind: 'ec2-instance',
        instanceId: idFrom(item.uid),
        ...defined({ instanceType: instance?.instanceType, iamInstanceProfileArn: profile?.arn }),
        ...common,
        networkInterfaces: strings(instance?.ec2NetworkInterfaceUids).flatMap((uid) => {
          const eni = enis.get(uid);
          return eni ? [networkInterfaceOf(eni)] : [];
        }),
      };
    }
    case 'ACCESS_KEY': {
      const key = data?.accessKey;
      const userType = key?.userType ?? 'Unknown';
      const accessKeyId = /^(AKIA|ASIA)[A-Z0-9]+$/.test(item.uid) ? item.uid : undefined;
      return {
        kind: 'iam-access-key',
        ...defined({
          accessKeyId,
          principalId: key?.principalId,
          ...(userType === 'AssumedRole' ? { roleName: key?.userName } : { userName: key?.userName }),
        }),
        userType,
      };
    }
    case 'S3_BUCKET':
      return {
        kind: 's3-bucket',
        bucketName: name ?? s3Path(item.uid).bucket,
        ...(item.uid.startsWith('arn:') ? { arn: item.uid } : {}),
        ...common,
      };
    case 'S3_OBJECT': {
      const path = s3Path(item.uid);
      const key = data?.s3Object?.key ?? path.key;
      if (!path.bucket || !key) return other(item);
      return {
        kind: 's3-object',
        bucketName: path.bucket,
        key,
        ...defined({
          versionId: data?.s3Object?.versionId,
          eTag: data?.s3Object?.eTag,
          objectArn: item.uid.startsWith('arn:') ? item.uid : undefined,
        }),
        ...common,
      };
    }
    case 'EKS_CLUSTER':
      return {
        kind: 'eks-cluster',
        clusterName: name ?? arnTail(item.uid),
        ...defined({
          clusterArn: data?.eksCluster?.arn ?? (item.uid.startsWith('arn:') ? item.uid : undefined),
          vpcId: data?.eksCluster?.vpcId,
          status: data?.eksCluster?.status,
        }),
        ...common,
      };
    case 'KUBERNETES_WORKLOAD': {
      const workload = data?.kubernetesWorkload;
      const clusters = all.filter((r) => r.resourceType === 'EKS_CLUSTER');
      const cluster = clusters.length === 1 ? clusters[0] : undefined;
      if (!workload?.namespace || !cluster) return other(item);
      return {
        kind: 'eks-workload',
        clusterName: cluster.name ?? arnTail(cluster.uid),
        ...(cluster.uid.startsWith('arn:') ? { clusterArn: cluster.uid } : {}),
        namespace: workload.namespace,
        workloadName: name ?? item.uid,
        workloadType: (workload.type ?? 'pods').toLowerCase(),
        uid: item.uid,
        containers: [],
        labels: {},
        ...common,
      };
    }
    case 'CONTAINER':
      return {
        kind: 'container',
        containerId: item.uid,
        ...defined({ name, image: data?.container?.image }),
        ...common,
      };
    case 'ECS_CLUSTER':
      return {
        kind: 'ecs-cluster',
        clusterName: name ?? arnTail(item.uid),
        ...(item.uid.startsWith('arn:') ? { clusterArn: item.uid } : {}),
        ...common,
      };
    case 'ECS_TASK': {
      // arn:aws:ecs:region:account:task/<cluster>/<task id> (the long ARN format).
      const segments = item.uid.split('/');
      return {
        kind: 'ecs-task',
        taskArn: item.uid,
        ...defined({
          clusterName: segments.length === 3 ? segments[1] : undefined,
          taskDefinitionArn: data?.ecsTask?.taskDefinitionArn,
          launchType: data?.ecsTask?.launchType,
        }),
        containers: [],
        networkInterfaces: [],
        ...common,
      };
    }
    default:
      return other(item);
  }
}

function other(item: ResourceV2): Resource {
  return { kind: 'other', resourceType: item.resourceType, id: item.uid };
}

/** An instance id from a uid that is an id or an instance ARN. */
function idFrom(uid: string): string {
  return uid.startsWith('arn:') ? arnTail(uid) : uid;
}

/** Bucket and key of `arn:aws:s3:::bucket/key`, or of a bare bucket name. */
function s3Path(uid: string): { bucket: string; key?: string } {
  const path = uid.startsWith('arn:') ? uid.slice(uid.indexOf(':::') + 3) : uid;
  const slash = path.indexOf('/');
  return slash < 0 ? { bucket: path } : { bucket: path.slice(0, slash), key: path.slice(slash + 1) };
}

function networkInterfaceOf(eni: ResourceV2): NetworkInterface {
  const data = eni.data?.ec2NetworkInterface;
  return {
    networkInterfaceId: idFrom(eni.uid),
    ...defined({ vpcId: data?.vpcId, subnetId: data?.subNetId }),
    securityGroups: (data?.securityGroups ?? []).map((group) => ({
      groupId: group.groupId,
      ...defined({ groupName: group.groupName }),
    })),
    privateIpv4: unique((data?.privateIpAddresses ?? []).map((a) => a.privateIpAddress)),
    publicIpv4: unique([data?.publicIp]),
    ipv6: unique(data?.ipv6Addresses ?? []),
  };
}
