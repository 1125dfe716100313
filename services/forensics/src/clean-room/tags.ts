import type { Tag } from '@aws-sdk/client-ec2';

/** Tag keys on everything the clean room creates; reruns and the teardown find their resources by them. */
export const CleanRoomTag = {
  incidentId: 'ir:incident-id',
  stepId: 'ir:step-id',
  purpose: 'ir:purpose',
  sourceSnapshot: 'ir:source-snapshot',
  sourceVolume: 'ir:volume-id',
  device: 'ir:device',
  suspectInstance: 'ir:source-instance',
} as const;

/**
 * Value of `ir:purpose` on clean-room resources. Why a tag and not only ids: the deploy stack's IAM
 * policy allows AttachVolume and TerminateInstances only on resources carrying it, so the service
 * cannot attach evidence to, or terminate, anything else even if it is told to.
 */
export const CLEAN_ROOM_PURPOSE = 'clean-room';

/** The tags on every clean-room resource of one incident and step. */
export function cleanRoomTags(incidentId: string, stepId: string, suspectInstanceId: string): Tag[] {
  return [
    { Key: CleanRoomTag.incidentId, Value: incidentId },
    { Key: CleanRoomTag.stepId, Value: stepId },
    { Key: CleanRoomTag.purpose, Value: CLEAN_ROOM_PURPOSE },
    { Key: CleanRoomTag.suspectInstance, Value: suspectInstanceId },
    { Key: 'Name', Value: `ir-clean-room-${incidentId}`.slice(0, 255) },
  ];
}

/** One tag's value on a described resource. */
export function tagValue(tags: readonly Tag[] | undefined, key: string): string | undefined {
  return tags?.find((tag) => tag.Key === key)?.Value;
}

/** EC2 filters selecting the clean-room resources of an incident (and of one step, when given). */
export function cleanRoomFilters(incidentId: string, stepId?: string) {
  return [
    { Name: `tag:${CleanRoomTag.incidentId}`, Values: [incidentId] },
    { Name: `tag:${CleanRoomTag.purpose}`, Values: [CLEAN_ROOM_PURPOSE] },
    ...(stepId ? [{ Name: `tag:${CleanRoomTag.stepId}`, Values: [stepId] }] : []),
  ];
}
