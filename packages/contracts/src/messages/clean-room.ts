import { z } from 'zod';
import { stepCommand } from './step-command.js';

const Sha256Hex = z.string().regex(/^[0-9a-fA-F]{64}$/, 'a SHA-256 hex digest');

/**
 * Investigate an instance's disks in a clean room: volumes created from the incident's evidence
 * snapshots, attached to a fresh analysis instance (never the suspect), examined over SSM.
 * `instanceId` is the suspect, whose snapshots are used; `knownBadHashes` add to the service's list.
 */
export const EvidenceCleanRoom = stepCommand(
  'evidence.clean-room',
  z.object({
    instanceId: z.string().min(1),
    knownBadHashes: z.array(Sha256Hex).max(10_000).optional(),
    /** Files changed in the last this many days go into the timeline (the service's default when unset). */
    timelineDays: z.number().int().min(1).max(3650).optional(),
  }),
);
/** @see EvidenceCleanRoom */
export type EvidenceCleanRoom = z.infer<typeof EvidenceCleanRoom>;

/**
 * Tear a clean room down: terminate the analysis instance and delete the volumes it created, found by
 * tags. Never touches snapshots or evidence. `cleanRoomStepId` narrows to one clean-room step.
 */
export const EvidenceCleanRoomTeardown = stepCommand(
  'evidence.clean-room-teardown',
  z.object({ cleanRoomStepId: z.string().min(1).optional() }),
);
/** @see EvidenceCleanRoomTeardown */
export type EvidenceCleanRoomTeardown = z.infer<typeof EvidenceCleanRoomTeardown>;
