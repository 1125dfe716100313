import {
  buildMessage,
  Finding,
  type MessageFields,
  type MessageOf,
  type OperatorIdentity,
} from '@ir/contracts';
import type { IncidentPlan, PlannedStep } from '@ir/playbooks';
import type { IncidentAggregate } from '../../src/model.js';
import type { DecisionContext, Draft } from '../../src/state/draft.js';

const target = { accountId: '111122223333', region: 'eu-west-1' };

/** A planned step with defaults; `contain.*` actions are containments. */
export function planned(
  stepId: string,
  action: PlannedStep['action'],
  overrides: Partial<PlannedStep> = {},
): PlannedStep {
  const queue = action.startsWith('contain.')
    ? 'isolator'
    : action.startsWith('evidence.')
      ? 'forensics'
      : 'notifier';
  return {
    stepId,
    action,
    queue,
    params:
      action === 'notify.incident'
        ? { stage: 'opened', severityBand: 'HIGH', summary: 's' }
        : { instanceId: 'i-1' },
    target,
    after: [],
    approval: 'none',
    timeoutSeconds: 60,
    containment: action.startsWith('contain.'),
    sealsEvidence: action === 'evidence.seal',
    ...overrides,
  };
}

/** Snapshot → isolate (after snapshot) and notify, the shape of the EC2 playbook. */
export const plan: IncidentPlan = {
  playbookId: 'test-playbook',
  severityBand: 'HIGH',
  steps: [
    planned('snapshot', 'evidence.snapshot-volumes'),
    planned('notify', 'notify.incident'),
    planned('isolate', 'contain.ec2-instance', { after: ['snapshot'] }),
    planned('seal', 'evidence.seal', { after: ['snapshot'], params: {} }),
  ],
  notes: [],
  omitted: [],
};

export const testFinding = (tags: Record<string, string> = {}): Finding =>
  Finding.parse({
    source: 'guardduty',
    id: 'f-1',
    type: 'Backdoor:EC2/C&CActivity.B',
    title: 'C&C',
    severity: { score: 8, band: 'HIGH' },
    ...target,
    createdAt: '2024-05-02T14:00:00.000Z',
    updatedAt: '2024-05-02T14:00:00.000Z',
    count: 1,
    sample: false,
    resources: [{ kind: 'ec2-instance', instanceId: 'i-1', tags }],
    raw: {},
  });

export const context = (overrides: Partial<DecisionContext> = {}): DecisionContext => ({
  now: new Date('2024-05-02T14:00:10.000Z'),
  causationId: null,
  eventKey: 'event-1',
  blastAvailable: 5,
  settings: {
    producer: 'response-coordinator',
    protectedTag: { key: 'ir:protected', value: 'true' },
    approvalTimeoutSeconds: 900,
    notifyTimeoutSeconds: 300,
  },
  ...overrides,
});

export function opened(
  options: { dryRun?: boolean; tags?: Record<string, string>; suppressionUnevaluated?: boolean } = {},
): MessageOf<'incident.opened'> {
  return buildMessage('incident.opened', {
    incidentId: 'inc-1',
    correlationId: 'corr-1',
    causationId: null,
    producer: 'detection',
    dryRun: options.dryRun ?? false,
    payload: {
      finding: testFinding(options.tags),
      severityBand: 'HIGH',
      receivedAt: '2024-05-02T14:00:00.000Z',
      flags: options.suppressionUnevaluated ? { suppressionUnevaluated: true } : {},
    },
  });
}

/** The aggregate after committing `draft` (as the repository would read it back). */
export function committed(draft: Draft, version = 1): IncidentAggregate {
  const transition = draft.toTransition();
  return { incident: transition.incident, version, steps: draft.steps };
}

/** A step result for `stepId`. */
export function succeeded(stepId: string, action: PlannedStep['action'], preState?: Record<string, unknown>) {
  return buildMessage('step.succeeded', {
    incidentId: 'inc-1',
    correlationId: 'corr-1',
    causationId: null,
    producer: 'worker',
    dryRun: false,
    payload: {
      stepId,
      action,
      result: {},
      ...(preState ? { preState } : {}),
      completedAt: '2024-05-02T14:00:20.000Z',
    },
  });
}

/** Verified identities of the operators in these tests (one issuer; each subject is one person). */
export const operators = {
  rita: {
    issuer: 'https://idp.example.test',
    subject: 'op-rita',
    name: 'Rita Responder',
    email: 'rita@example.test',
  },
  alice: {
    issuer: 'https://idp.example.test',
    subject: 'op-alice',
    name: 'Alice Approver',
    email: 'alice@example.test',
  },
  bob: {
    issuer: 'https://idp.example.test',
    subject: 'op-bob',
    name: 'Bob Approver',
    email: 'bob@example.test',
  },
} as const;
/** An operator of these tests: a verified identity with a name. */
export type TestOperator = OperatorIdentity & { readonly name: string };

const envelope = {
  incidentId: 'inc-1',
  correlationId: 'corr-1',
  causationId: null,
  producer: 'api',
  dryRun: false,
} as const;

/** An operator's `approval.granted` or `approval.rejected` of `stepId`, as the API publishes it (`who` undefined: an old, actor-less message). */
export function approval<K extends 'approval.granted' | 'approval.rejected' = 'approval.granted'>(
  stepId: string,
  who: TestOperator | undefined,
  kind: K = 'approval.granted' as K,
): MessageOf<K> {
  const payload = { stepId, by: who?.name ?? 'someone', ...(who ? { actor: { ...who } } : {}) };
  return buildMessage(kind, { ...envelope, payload } as MessageFields<K>);
}

/** An operator's `rollback.requested`, sent at `sentAt` when given. */
export function rollbackRequest(who: TestOperator = operators.rita, sentAt?: string) {
  return buildMessage(
    'rollback.requested',
    { ...envelope, payload: { by: who.name, actor: { ...who }, reason: 'false positive' } },
    sentAt ? { now: () => new Date(sentAt) } : {},
  );
}
