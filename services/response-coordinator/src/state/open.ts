import {
  type Finding,
  type FindingRef,
  type IncidentRecord,
  type MessageOf,
  type ProtectedTag,
  protectedTagIn,
  resourceKey,
} from '@ir/contracts';
import { errorMessage } from '@ir/runtime';
import type { IncidentPlan } from '@ir/playbooks';
import { type DecisionContext, Draft } from './draft.js';
import { raiseNotification } from './notifications.js';
import { addPlannedSteps, type Planner, planNotes } from './plan-steps.js';
import { dispatchAndSettle } from './dispatch-and-settle.js';
import { addFindingSyncStep } from './finding-sync.js';

/** What the incident record keeps of a finding (the whole finding goes to its `FINDING#` item). */
export function findingRef(finding: Finding, receivedAt: string): FindingRef {
  return {
    source: finding.source,
    id: finding.id,
    type: finding.type,
    title: finding.title,
    band: finding.severity.band,
    updatedAt: finding.updatedAt,
    count: finding.count,
    receivedAt,
    ...(finding.workflow?.securityHub || finding.workflow?.guardDutyFindingId
      ? { workflow: { ...finding.workflow, accountId: finding.accountId, region: finding.region } }
      : {}),
  };
}

/**
 * Keys of the finding's resources that carry the protected tag, key and value compared without regard
 * to case (`IR:Protected=TRUE` counts). The isolator reads the tags live from AWS as well (TRAPS 22):
 * a finding without tags does not make a resource unprotected.
 */
export function protectedResources(finding: Finding, tag: ProtectedTag): string[] {
  return finding.resources
    .filter((resource) => 'tags' in resource && protectedTagIn(resource.tags, tag) !== undefined)
    .map(resourceKey);
}

/**
 * Opens an incident: plans it, records the finding and dispatches what can start. A finding the
 * planner cannot plan still opens an incident that needs attention and tells people, because a
 * finding nobody hears about is the worst outcome (TRAPS 16, 17). `accountRefusal` (the finding's
 * account is not allowed) opens the incident without planning anything, pages, and says why.
 */
export function openIncident(
  message: MessageOf<'incident.opened'>,
  planner: Planner,
  context: DecisionContext,
  accountRefusal?: string,
): Draft {
  const { finding, severityBand, receivedAt, flags } = message.payload;
  let plan: IncidentPlan | undefined;
  let planError: string | undefined;
  try {
    if (accountRefusal === undefined) plan = planner(finding, severityBand);
  } catch (error: unknown) {
    planError = errorMessage(error);
  }
  const now = context.now.toISOString();
  const incident: IncidentRecord = {
    incidentId: message.incidentId,
    correlationId: message.correlationId,
    status: 'open',
    playbookId: plan?.playbookId ?? 'unplanned',
    severityBand,
    dryRun: message.dryRun,
    receivedAt,
    openedAt: now,
    updatedAt: now,
    summary: finding.title,
    target: { accountId: finding.accountId, region: finding.region },
    suppressionUnevaluated: flags.suppressionUnevaluated === true,
    findings: [findingRef(finding, receivedAt)],
    resources: finding.resources.map((resource) => ({
      accountId: finding.accountId,
      key: resourceKey(resource),
    })),
    protectedResources: protectedResources(finding, context.settings.protectedTag),
    notes: plan ? planNotes(plan) : [],
  };
  const draft = new Draft({ incident, isNew: true }, context);
  draft.findings.push(finding);
  draft.record('incident-opened', {
    findingId: finding.id,
    findingType: finding.type,
    severityBand,
    playbookId: incident.playbookId,
    dryRun: incident.dryRun,
    steps: plan?.steps.length ?? 0,
  });
  draft.observations.incidentOpened = { playbook: incident.playbookId, severity: severityBand };
  if (incident.suppressionUnevaluated) {
    draft.record('suppression-unevaluated', { effect: 'every containment waits for approval' });
  }
  if (incident.protectedResources.length > 0) {
    draft.record('protected-resources', { resources: incident.protectedResources });
  }
  if (accountRefusal !== undefined) {
    draft.setStatus('needs-attention');
    draft.record('account-refused', { accountId: finding.accountId, reason: accountRefusal });
    raiseNotification(
      draft,
      'account-refused',
      'step-failed',
      `Refused to respond in account ${finding.accountId}: ${accountRefusal}`,
      { details: { findingType: finding.type, accountId: finding.accountId }, page: true },
    );
  } else if (plan) {
    addPlannedSteps(draft, plan.steps);
    for (const omitted of plan.omitted) {
      draft.record('step-omitted', { action: omitted.action, reason: omitted.reason }, omitted.stepId);
    }
  } else {
    draft.setStatus('needs-attention');
    draft.record('planning-failed', { error: planError });
    raiseNotification(draft, 'planning-failed', 'step-failed', `No response could be planned: ${planError}`, {
      details: { findingType: finding.type },
    });
  }
  // Marks the finding NOTIFIED at its source when IR_FINDING_SYNC=on; nothing waits for it.
  addFindingSyncStep(draft, 'opened');
  return dispatchAndSettle(draft);
}
