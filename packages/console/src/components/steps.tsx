import type { StepRecord } from '@ir/contracts';
import { formatDetails, formatTime } from '../format.js';

/** Per awaiting step: the reason typed so far, and whether this person may decide at all. */
export interface ApprovalControls {
  readonly canDecide: boolean;
  readonly busy: boolean;
  readonly reasons: Readonly<Record<string, string>>;
  readonly onReason: (stepId: string, reason: string) => void;
  readonly onDecide: (stepId: string, kind: 'approve' | 'reject') => void;
}

/** The DOM id of a step's list item (step ids may hold characters an id should not). */
export function stepAnchor(index: number): string {
  return `step-${index}`;
}

function Field(props: { readonly label: string; readonly value: string | undefined }) {
  if (!props.value) return null;
  return (
    <>
      <dt>{props.label}</dt>
      <dd>{props.value}</dd>
    </>
  );
}

/**
 * An incident's steps in plan order: state, verified results, failure, and for each step waiting for
 * approval its hold reasons, the approvals so far, and (for approvers) a reason box with Approve and
 * Reject. Everything is rendered as text.
 */
export function Steps(props: { readonly steps: readonly StepRecord[]; readonly controls: ApprovalControls }) {
  const { steps, controls } = props;
  return (
    <section aria-labelledby="steps-heading">
      <h2 id="steps-heading">Steps</h2>
      {steps.length === 0 && <p>No steps planned yet.</p>}
      <ol class="steps">
        {steps.map((step, index) => {
          const awaiting = step.status === 'awaiting-approval';
          // Defaults the schema fills in; an older server may leave them out.
          const approvals = step.approvals ?? [];
          const holdReasons = step.holdReasons ?? [];
          const reasonId = `reason-${index}`;
          return (
            <li key={step.stepId} id={stepAnchor(index)} data-step-id={step.stepId} data-status={step.status}>
              <div class="step-head">
                <span class="step-action">{step.action}</span>
                <span class={`status status-${step.status}`}>{step.status}</span>
                {step.containment && <span class="tag">containment</span>}
                {step.origin === 'rollback' && <span class="tag">rollback</span>}
              </div>
              <dl class="facts">
                <Field label="Step" value={step.stepId} />
                <Field label="Target" value={`${step.target.accountId} · ${step.target.region}`} />
                <Field label="Rolls back" value={step.rollbackOf} />
                <Field label="Dispatched" value={step.dispatchedAt && formatTime(step.dispatchedAt)} />
                <Field label="Completed" value={step.completedAt && formatTime(step.completedAt)} />
                <Field label="Verified" value={formatDetails(step.verified)} />
                <Field label="Result" value={formatDetails(step.result)} />
                <Field
                  label="Failure"
                  value={step.failure && `${step.failure.reason} (${step.failure.errorName})`}
                />
                <Field label="Skipped because" value={step.skipReason} />
                <Field label="Held because" value={holdReasons.join(', ')} />
                <Field
                  label="Approvals"
                  value={
                    step.approval === 'required' || approvals.length > 0
                      ? `${approvals.length} of ${step.approvalsRequired ?? 1}${
                          approvals.length > 0 ? `: ${approvals.map((a) => a.by).join(', ')}` : ''
                        }`
                      : undefined
                  }
                />
                <Field label="Requested by" value={step.requestedBy?.by} />
                <Field label="Rejected by" value={step.rejectedBy} />
                <Field label="Decision reason" value={step.decisionReason} />
                <Field
                  label="Approval deadline"
                  value={step.approvalDeadlineAt && formatTime(step.approvalDeadlineAt)}
                />
              </dl>
              {awaiting && controls.canDecide && (
                <div class="decision">
                  <label for={reasonId}>Reason for {step.stepId}</label>
                  <textarea
                    id={reasonId}
                    rows={2}
                    maxLength={2000}
                    value={controls.reasons[step.stepId] ?? ''}
                    onInput={(e) =>
                      controls.onReason(step.stepId, (e.currentTarget as HTMLTextAreaElement).value)
                    }
                  />
                  <div class="buttons">
                    <button
                      type="button"
                      class="primary"
                      aria-label={`Approve ${step.stepId}`}
                      disabled={controls.busy}
                      onClick={() => controls.onDecide(step.stepId, 'approve')}
                    >
                      Approve
                    </button>
                    <button
                      type="button"
                      class="danger"
                      aria-label={`Reject ${step.stepId}`}
                      disabled={controls.busy}
                      onClick={() => controls.onDecide(step.stepId, 'reject')}
                    >
                      Reject
                    </button>
                  </div>
                </div>
              )}
              {awaiting && !controls.canDecide && <p class="muted">Waiting for an approver.</p>}
            </li>
          );
        })}
      </ol>
    </section>
  );
}
