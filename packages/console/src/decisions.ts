import { ApiError, type Decision } from './api.js';

const decisionNames: Record<Decision['kind'], string> = {
  approve: 'Approval',
  reject: 'Rejection',
  rollback: 'Rollback request',
  resolve: 'Resolve request',
};

/** The sentence the status line shows for a decision's answer. */
export function decisionMessage(decision: Decision, outcome: { by?: string } | ApiError | Error): string {
  const subject = `${decisionNames[decision.kind]}${'stepId' in decision ? ` of ${decision.stepId}` : ''}`;
  if (outcome instanceof ApiError)
    return `${subject} refused (${outcome.status} ${outcome.error}): ${outcome.message}`;
  if (outcome instanceof Error) return `${subject} failed: ${outcome.message}`;
  return `${subject} accepted${outcome.by ? `, recorded as ${outcome.by}` : ''}. This page updates when the coordinator has applied it.`;
}
