import type { SeverityBand, StepRecord } from '@ir/contracts';
import type { Draft } from './draft.js';

/** Who approved a clean-room step that `IR_AUTO_APPROVE_CLEAN_ROOM` let through, as the step records it. */
export const CLEAN_ROOM_AUTO_APPROVER = 'policy:IR_AUTO_APPROVE_CLEAN_ROOM';

/**
 * Statuses of a clean-room step that may have left an analysis instance or volumes behind: it was
 * sent to the worker, whatever came of it.
 */
const STARTED: ReadonlySet<StepRecord['status']> = new Set([
  'dispatched',
  'succeeded',
  'failed',
  'timed-out',
]);

/** Time-out of the teardown: terminating an instance and deleting volumes, with waits through the queue. */
const TEARDOWN_TIMEOUT_SECONDS = 1800;

/**
 * Approves a planned `evidence.clean-room` step that requires approval when the incident's band is
 * in `IR_AUTO_APPROVE_CLEAN_ROOM` (e.g. CRITICAL): the investigation reads copies of the disks in an
 * isolated VPC and changes nothing on the suspect, so a team may choose not to wait for a person at
 * that severity. Recorded on the step and the timeline, so the incident says who let it run.
 */
export function autoApproveCleanRoom(draft: Draft, stepIds: readonly string[]): void {
  const bands: readonly SeverityBand[] = draft.context.settings.autoApproveCleanRoom ?? [];
  const band = draft.incident.severityBand;
  if (!bands.includes(band)) return;
  for (const stepId of stepIds) {
    const step = draft.step(stepId);
    if (step?.action !== 'evidence.clean-room' || step.approval !== 'required' || step.approvedBy) continue;
    draft.updateStep(stepId, {
      approvedBy: CLEAN_ROOM_AUTO_APPROVER,
      decisionReason: `severity ${band} is in IR_AUTO_APPROVE_CLEAN_ROOM`,
    });
    draft.record('step-auto-approved', { by: CLEAN_ROOM_AUTO_APPROVER, severityBand: band }, stepId);
  }
}

/**
 * On resolve: adds one `evidence.clean-room-teardown` per clean-room step that started, as a
 * coordinator step (those still go out on a resolved incident). The teardown terminates the analysis
 * instance and deletes its volumes; snapshots and stored evidence stay. Its id derives from the
 * clean-room step, so resolving twice adds it once.
 */
export function addCleanRoomTeardowns(draft: Draft): void {
  for (const room of draft.steps) {
    if (room.action !== 'evidence.clean-room' || !STARTED.has(room.status)) continue;
    draft.addCoordinatorStep({
      stepId: `teardown:${room.stepId}`,
      action: 'evidence.clean-room-teardown',
      queue: 'forensics',
      params: { cleanRoomStepId: room.stepId },
      target: room.target,
      timeoutSeconds: TEARDOWN_TIMEOUT_SECONDS,
    });
  }
}
