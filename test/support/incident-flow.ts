import { verifyEvidence } from '@ir/evidence';
import type { IncidentView } from './coordinator-api.js';
import { isQuiescent, stepOf, waitForIncidentOf } from './incident-progress.js';
import { apiOperator, approveHeldRollback, type Operator } from './operator.js';
import type { RunningSystem } from './system.js';

/*
 * The steps every whole-pipeline test of a finding family takes, through the operator API: send the
 * finding, wait for its incident, approve a held step, roll back under the two-person rule, verify the
 * evidence. The assertions stay in the tests; these only act and read back.
 */

/** Sends `finding` as EventBridge delivers it and waits for its incident to be `done` (quiescent by default). */
export async function sendFindingAndWait(
  system: RunningSystem,
  finding: unknown,
  findingId: string,
  done: (view: IncidentView) => boolean = isQuiescent,
): Promise<IncidentView> {
  await system.sendFinding(finding);
  return waitForIncidentOf(system.api, findingId, done);
}

/** The local identity provider's approver, deciding through the operator API. */
export function approverOf(system: RunningSystem): Operator {
  return apiOperator(system.apiAs('approver'), 'approver');
}

/**
 * Has the approver approve the step of `action` held in `view`, and waits until that step succeeded;
 * returns the incident then.
 */
export async function approveStepAndWait(
  system: RunningSystem,
  view: IncidentView,
  findingId: string,
  action: string,
): Promise<IncidentView> {
  await approverOf(system).approve(view.incident.incidentId, stepOf(view, action).stepId);
  return waitForIncidentOf(system.api, findingId, (v) => stepOf(v, action).status === 'succeeded');
}

/**
 * Rolls the incident back as a responder would; a second person (the approver) approves the held
 * rollback batch (the two-person rule). Returns the incident once `rolled-back`.
 */
export async function rollBackAndWait(
  system: RunningSystem,
  view: IncidentView,
  findingId: string,
  reason: string,
): Promise<IncidentView> {
  await system.api.rollback(view.incident.incidentId, { reason });
  await approveHeldRollback(system.api, findingId, approverOf(system));
  return waitForIncidentOf(system.api, findingId, (v) => v.incident.status === 'rolled-back');
}

/** The incident's sealed evidence verified as an auditor would: manifest, signature, every artifact. */
export function verifyIncidentEvidence(system: RunningSystem, incidentId: string) {
  return verifyEvidence({
    s3: system.clients.s3,
    bucket: system.boot.bucketName,
    incidentId,
    signing: { kms: system.clients.kms, keyId: system.boot.signingKeyArn },
  });
}
