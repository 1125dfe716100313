import { z } from 'zod';
import { IsoDateTime } from '../primitives.js';
import { EvidenceCleanRoom, EvidenceCleanRoomTeardown } from './clean-room.js';
import { EvidenceStoreReport } from './report.js';
import { StepTarget, stepCommand } from './step-command.js';

const InstanceParams = z.object({ instanceId: z.string().min(1) });

/** Snapshot every EBS volume of an instance (started before isolation; completion not awaited). */
export const EvidenceSnapshotVolumes = stepCommand('evidence.snapshot-volumes', InstanceParams);
/** @see EvidenceSnapshotVolumes */
export type EvidenceSnapshotVolumes = z.infer<typeof EvidenceSnapshotVolumes>;

/** Capture instance metadata (describe output, console output, screenshot). */
export const EvidenceCaptureInstance = stepCommand('evidence.capture-instance', InstanceParams);
/** @see EvidenceCaptureInstance */
export type EvidenceCaptureInstance = z.infer<typeof EvidenceCaptureInstance>;

/** Collect volatile data over SSM, before network isolation cuts it off (TRAPS 11). */
export const EvidenceCollectVolatile = stepCommand('evidence.collect-volatile', InstanceParams);
/** @see EvidenceCollectVolatile */
export type EvidenceCollectVolatile = z.infer<typeof EvidenceCollectVolatile>;

/** Collect IAM evidence for a user, role or key (at least one named). */
export const EvidenceCollectIam = stepCommand(
  'evidence.collect-iam',
  z
    .object({
      userName: z.string().min(1).optional(),
      roleName: z.string().min(1).optional(),
      accessKeyId: z.string().min(1).optional(),
    })
    .refine((p) => p.userName !== undefined || p.roleName !== undefined || p.accessKeyId !== undefined, {
      message: 'needs userName, roleName or accessKeyId',
      path: ['userName'],
    }),
);
/** @see EvidenceCollectIam */
export type EvidenceCollectIam = z.infer<typeof EvidenceCollectIam>;

/** Collect a bucket's policy, ACLs, public-access block and logging configuration. */
export const EvidenceCollectS3 = stepCommand(
  'evidence.collect-s3',
  z.object({ bucketName: z.string().min(1) }),
);
/** @see EvidenceCollectS3 */
export type EvidenceCollectS3 = z.infer<typeof EvidenceCollectS3>;

/** Write the hash manifest and lock the incident's evidence (TRAPS 12). */
export const EvidenceSeal = stepCommand('evidence.seal', z.object({}));
/** @see EvidenceSeal */
export type EvidenceSeal = z.infer<typeof EvidenceSeal>;

/**
 * The forensics service's note to itself to look at an incident's evidence snapshots again: sent on
 * its own queue with a delay while snapshots, KMS copies, shares or forensics-account copies are still
 * in progress. Why a message and not a timer: it survives restarts and is handled by any replica; the
 * message carries everything observed so far, so the watch needs no table of its own.
 */
export const EvidenceSnapshotFollowupPayload = z.object({
  /** The snapshot-volumes step whose snapshots are watched. */
  stepId: z.string().min(1),
  target: StepTarget,
  instanceId: z.string().min(1),
  /** 1 for the first look after the step. */
  attempt: z.number().int().min(1),
  watchStartedAt: IsoDateTime,
  /** After this the watch records what it has and stops. */
  watchUntil: IsoDateTime,
  /** Snapshot id → when this service first saw it `completed`. */
  completedObservedAt: z.record(z.string(), IsoDateTime).default({}),
  /** Snapshot id → consecutive times the forensics account could not see it to copy it. */
  copyMisses: z.record(z.string(), z.number().int().min(0)).default({}),
});
/** @see EvidenceSnapshotFollowupPayload */
export type EvidenceSnapshotFollowupPayload = z.infer<typeof EvidenceSnapshotFollowupPayload>;

/**
 * Every evidence command the forensics service performs, keyed by action: the single list from which
 * `evidenceActions` and the message schemas are derived. (`evidence.snapshot-followup` is not here: it
 * is the service's note to itself, not a step the coordinator sends.)
 */
export const evidenceCommands = {
  'evidence.snapshot-volumes': EvidenceSnapshotVolumes,
  'evidence.capture-instance': EvidenceCaptureInstance,
  'evidence.collect-volatile': EvidenceCollectVolatile,
  'evidence.collect-iam': EvidenceCollectIam,
  'evidence.collect-s3': EvidenceCollectS3,
  'evidence.seal': EvidenceSeal,
  'evidence.clean-room': EvidenceCleanRoom,
  'evidence.clean-room-teardown': EvidenceCleanRoomTeardown,
  'evidence.store-report': EvidenceStoreReport,
} as const satisfies Record<`evidence.${string}`, z.ZodType>;

/** An evidence action name, e.g. `evidence.seal`. */
export type EvidenceAction = keyof typeof evidenceCommands;
