import type { ReportInput, ReportStepInput } from '@ir/reporting';

const target = { accountId: '123456789012', region: 'eu-west-1' };

/** A step with defaults; only what a test cares about is given. */
export function step(
  stepId: string,
  action: string,
  order: number,
  patch: Partial<ReportStepInput> = {},
): ReportStepInput {
  return {
    stepId,
    action,
    queue:
      action.startsWith('contain.') || action.startsWith('rollback.')
        ? 'isolator'
        : action.startsWith('evidence.')
          ? 'forensics'
          : 'notifier',
    target,
    approval: 'none',
    containment: action.startsWith('contain.'),
    sealsEvidence: action === 'evidence.seal',
    origin: action.startsWith('rollback.') ? 'rollback' : 'playbook',
    order,
    status: 'succeeded',
    holdReasons: [],
    dispatchedAt: '2026-11-22T10:00:02.000Z',
    completedAt: '2026-11-22T10:00:10.000Z',
    ...patch,
  };
}

/**
 * An EC2 compromise handled end to end: evidence, an approved isolation with pre-state, a rejected
 * console-password removal, a failed IAM capture, a seal, and a rollback of the isolation.
 */
export function ec2Incident(overrides: Partial<ReportInput['incident']> = {}): ReportInput {
  return {
    incident: {
      incidentId: 'inc-1',
      correlationId: 'corr-1',
      status: 'resolved',
      playbookId: 'ec2-compromise',
      severityBand: 'HIGH',
      dryRun: false,
      receivedAt: '2026-11-22T10:00:00.000Z',
      openedAt: '2026-11-22T10:00:01.000Z',
      summary: 'Backdoor on i-0abc',
      target,
      findings: [
        {
          source: 'guardduty',
          id: 'f-1',
          type: 'Backdoor:EC2/C&CActivity.B',
          title: 'EC2 instance i-0abc is talking to a C&C server',
          band: 'HIGH',
          updatedAt: '2026-11-22T09:59:59.000Z',
          count: 2,
          receivedAt: '2026-11-22T10:00:00.000Z',
        },
      ],
      notes: ['Revoking role sessions affects every workload on role web'],
      firstContainedAt: '2026-11-22T10:00:20.000Z',
      evidenceSealedAt: '2026-11-22T10:01:30.000Z',
      rollbackRequestedAt: '2026-11-22T11:00:00.000Z',
      rollbackRequestedBy: 'carol',
      resolvedAt: '2026-11-22T12:00:00.000Z',
      resolvedBy: 'dave',
      ...overrides,
    },
    steps: [
      step('snapshot', 'evidence.snapshot-volumes', 0),
      step('isolate', 'contain.ec2-instance', 1, {
        approval: 'required',
        holdReasons: ['approval-required'],
        approvedBy: 'alice',
        decisionReason: 'confirmed C&C traffic',
        approvalRequestedAt: '2026-11-22T10:00:05.000Z',
        status: 'rolled-back',
        completedAt: '2026-11-22T10:00:20.000Z',
        preState: { enis: [{ id: 'eni-1', groups: ['sg-1'] }] },
        verified: { egressRules: 0 },
      }),
      step('console', 'contain.remove-login-profile', 2, {
        approval: 'required',
        holdReasons: ['approval-required'],
        rejectedBy: 'bob',
        decisionReason: 'break-glass user',
        status: 'skipped',
        skipReason: 'rejected by bob: break-glass user',
        completedAt: undefined,
      }),
      step('iam', 'evidence.collect-iam', 3, {
        status: 'failed',
        failure: { reason: 'AccessDenied on iam:GetUser', errorName: 'AccessDenied' },
      }),
      step('seal', 'evidence.seal', 4, { completedAt: '2026-11-22T10:01:30.000Z' }),
      step('rollback:isolate', 'rollback.ec2-instance', 5, {
        rollbackOf: 'isolate',
        completedAt: '2026-11-22T11:00:30.000Z',
      }),
      step('notify:resolved', 'notify.incident', 6, {
        origin: 'coordinator',
        status: 'pending',
        dispatchedAt: undefined,
        completedAt: undefined,
      }),
    ],
    timeline: [
      { at: '2026-11-22T10:00:01.000Z', kind: 'incident-opened', detail: { playbook: 'ec2-compromise' } },
      { at: '2026-11-22T10:00:02.000Z', kind: 'step-dispatched', stepId: 'snapshot' },
      { at: '2026-11-22T12:00:00.000Z', kind: 'incident-resolved', detail: { by: 'dave' } },
    ],
  };
}

const issuer = 'https://idp.example.test';
/** Verified identities of the two-person incident. */
export const people = {
  rita: { issuer, subject: 'op-rita', name: 'Rita Responder', email: 'rita@example.test' },
  alice: { issuer, subject: 'op-alice', name: 'Alice Approver', email: 'alice@example.test' },
  bob: { issuer, subject: 'op-bob', name: 'Bob Approver', email: 'bob@example.test' },
} as const;

/**
 * An incident under the two-person rule: a NACL block approved by Alice then Bob, and a rollback
 * requested by Rita and approved by Bob, each with the verified identities the coordinator records.
 */
export function twoPersonIncident(): ReportInput {
  const base = ec2Incident({
    rollbackRequestedBy: 'Rita Responder <rita@example.test>',
    rollbackRequestedByActor: people.rita,
    resolvedBy: 'Alice Approver <alice@example.test>',
    resolvedByActor: people.alice,
    disposition: {
      disposition: 'false-positive',
      category: 'reconnaissance',
      decidedBy: 'Alice Approver <alice@example.test>',
      decidedByActor: people.alice,
      decidedAt: '2026-11-22T12:00:00.000Z',
      source: 'operator',
    },
  });
  const alice = {
    by: 'Alice Approver <alice@example.test>',
    actor: people.alice,
    at: '2026-11-22T10:00:06.000Z',
  };
  const bob = { by: 'Bob Approver <bob@example.test>', actor: people.bob, at: '2026-11-22T10:00:07.000Z' };
  const rita = {
    by: 'Rita Responder <rita@example.test>',
    actor: people.rita,
    at: '2026-11-22T11:00:00.000Z',
  };
  return {
    ...base,
    steps: [
      step('snapshot', 'evidence.snapshot-volumes', 0),
      step('block', 'contain.block-ip', 1, {
        approval: 'required',
        holdReasons: ['approval-required'],
        approvalsRequired: 2,
        approvals: [alice, bob],
        approvedBy: bob.by,
        approvedByActor: people.bob,
        status: 'rolled-back',
        preState: { entries: [] },
      }),
      step('rollback:block', 'rollback.block-ip', 2, {
        rollbackOf: 'block',
        holdReasons: ['two-person-rule'],
        requestedBy: rita,
        approvals: [{ ...bob, at: '2026-11-22T11:00:05.000Z' }],
        approvedBy: bob.by,
        approvedByActor: people.bob,
        completedAt: '2026-11-22T11:00:30.000Z',
      }),
    ],
  };
}
