import { createHash } from 'node:crypto';
import {
  DescribeInstancesCommand,
  type EC2Client,
  type Instance,
  RunInstancesCommand,
  type RunInstancesCommandInput,
  type Tag,
} from '@aws-sdk/client-ec2';
import { CleanRoomNotReadyError, StepRefusedError } from '../errors.js';
import { CLEAN_ROOM_PURPOSE, CleanRoomTag, cleanRoomFilters, tagValue } from './tags.js';

/** How the analysis instance is launched (from the service's configuration). */
export interface LaunchSettings {
  readonly imageId?: string | undefined;
  readonly subnetId?: string | undefined;
  readonly securityGroupId?: string | undefined;
  readonly instanceProfile?: string | undefined;
  readonly launchTemplate?: string | undefined;
  readonly instanceType: string;
}

/** The clean room's instances of one incident and step that are not terminated. */
export async function findAnalysisInstances(
  ec2: EC2Client,
  incidentId: string,
  stepId?: string,
): Promise<Instance[]> {
  const instances: Instance[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ec2.send(
      new DescribeInstancesCommand({
        Filters: [
          ...cleanRoomFilters(incidentId, stepId),
          {
            Name: 'instance-state-name',
            Values: ['pending', 'running', 'stopping', 'stopped', 'shutting-down'],
          },
        ],
        ...(nextToken ? { NextToken: nextToken } : {}),
      }),
    );
    for (const reservation of page.Reservations ?? []) instances.push(...(reservation.Instances ?? []));
    nextToken = page.NextToken;
  } while (nextToken);
  return instances;
}

/**
 * The RunInstances request of the analysis instance: IMDSv2 required, no public address, in the
 * forensics subnet with its group (or as the launch template says), tagged so reruns and the teardown
 * find it. One builder for the launch and its dry run, so the dry run asks EC2 about exactly what the
 * launch would send (the clean-room policy allows RunInstances only with the launch template and the
 * clean-room tags: a dry run without them is refused, though the launch would not be).
 */
export function launchRequest(settings: LaunchSettings, tags: readonly Tag[]): RunInstancesCommandInput {
  const template = settings.launchTemplate;
  return {
    MinCount: 1,
    MaxCount: 1,
    ...(template
      ? {
          LaunchTemplate: template.startsWith('lt-')
            ? { LaunchTemplateId: template }
            : { LaunchTemplateName: template },
        }
      : {}),
    ...(settings.imageId ? { ImageId: settings.imageId } : {}),
    ...(template ? {} : { InstanceType: settings.instanceType as never }),
    ...(settings.subnetId
      ? {
          NetworkInterfaces: [
            {
              DeviceIndex: 0,
              SubnetId: settings.subnetId,
              AssociatePublicIpAddress: false,
              ...(settings.securityGroupId ? { Groups: [settings.securityGroupId] } : {}),
            },
          ],
        }
      : {}),
    ...(settings.instanceProfile
      ? {
          IamInstanceProfile: settings.instanceProfile.startsWith('arn:')
            ? { Arn: settings.instanceProfile }
            : { Name: settings.instanceProfile },
        }
      : {}),
    MetadataOptions: { HttpTokens: 'required', HttpEndpoint: 'enabled', HttpPutResponseHopLimit: 1 },
    InstanceInitiatedShutdownBehavior: 'stop',
    TagSpecifications: [
      { ResourceType: 'instance', Tags: [...tags] },
      { ResourceType: 'volume', Tags: [...tags] },
    ],
  };
}

/**
 * Launches the analysis instance ({@link launchRequest}). The client token makes a retried launch of
 * the same step return the same instance instead of a second one.
 */
export async function launchAnalysisInstance(
  ec2: EC2Client,
  settings: LaunchSettings,
  tags: readonly Tag[],
  idempotencyKey: string,
): Promise<Instance> {
  const output = await ec2.send(
    new RunInstancesCommand({
      ...launchRequest(settings, tags),
      ClientToken: createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 64),
    }),
  );
  const instance = output.Instances?.[0];
  if (!instance?.InstanceId) throw new Error('RunInstances returned no instance');
  return instance;
}

/** What an analysis instance must be before evidence is attached to it. */
export interface InstanceExpectation {
  readonly incidentId: string;
  readonly stepId: string;
  readonly suspectInstanceId: string;
  readonly subnetId?: string | undefined;
  /** The only group the analysis instance's interfaces may have (no ingress, egress to endpoints). */
  readonly securityGroupId?: string | undefined;
}

/**
 * Refuses any instance that is not the analysis instance launched for this step: the suspect itself
 * (evidence must never be attached to the compromised host), one not tagged by us, one with a public
 * address or without IMDSv2, or in another subnet. Pure, so each refusal is unit-tested.
 */
export function assertAnalysisInstance(instance: Instance, expected: InstanceExpectation): void {
  const id = instance.InstanceId ?? 'unknown';
  const refuse = (why: string) => {
    throw new StepRefusedError(
      `refusing to use ${id} as the clean-room instance: ${why}; evidence volumes stay detached`,
      'clean-room-instance-refused',
      { context: { instanceId: id, suspectInstanceId: expected.suspectInstanceId } },
    );
  };
  if (id === expected.suspectInstanceId) refuse('it is the suspect instance');
  if (tagValue(instance.Tags, CleanRoomTag.purpose) !== CLEAN_ROOM_PURPOSE)
    refuse(`it is not tagged ${CleanRoomTag.purpose}=${CLEAN_ROOM_PURPOSE}`);
  if (tagValue(instance.Tags, CleanRoomTag.incidentId) !== expected.incidentId)
    refuse(`it is not tagged with incident ${expected.incidentId}`);
  if (tagValue(instance.Tags, CleanRoomTag.stepId) !== expected.stepId)
    refuse(`it is not tagged with step ${expected.stepId}`);
  if (instance.PublicIpAddress) refuse(`it has a public address (${instance.PublicIpAddress})`);
  if (instance.MetadataOptions?.HttpTokens && instance.MetadataOptions.HttpTokens !== 'required')
    refuse('IMDSv2 is not required on it');
  if (expected.subnetId && instance.SubnetId !== expected.subnetId)
    refuse(`it is in ${instance.SubnetId ?? 'no subnet'}, not the forensics subnet ${expected.subnetId}`);
  if (expected.securityGroupId) {
    const groups = (instance.NetworkInterfaces ?? []).flatMap((n) => n.Groups ?? []).map((g) => g.GroupId);
    if (groups.some((group) => group !== expected.securityGroupId))
      refuse(`its interfaces have group(s) ${groups.join(', ')}, not only ${expected.securityGroupId}`);
  }
}

/**
 * Whether the instance can take volumes now: `running` goes on, `pending` is retried, anything else
 * (stopped, terminating) is a refusal a person must look at.
 */
export function assertRunning(instance: Instance): void {
  const state = instance.State?.Name ?? 'unknown';
  if (state === 'running') return;
  if (state === 'pending') {
    throw new CleanRoomNotReadyError(`waiting for analysis instance ${instance.InstanceId} (pending)`);
  }
  throw new StepRefusedError(
    `analysis instance ${instance.InstanceId} is ${state}; tear the clean room down and run the step again`,
    'clean-room-instance-not-running',
  );
}
