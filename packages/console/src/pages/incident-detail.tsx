import type { IncidentDetail } from '@ir/contracts';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Decision, OperatorApi } from '../api.js';
import { type Role, roleAllows } from '../auth/roles.js';
import { Evidence } from '../components/evidence.js';
import { Link } from '../components/link.js';
import { Report } from '../components/report.js';
import { ResolveDialog } from '../components/resolve-dialog.js';
import { RollbackDialog } from '../components/rollback-dialog.js';
import { Steps, stepAnchor } from '../components/steps.js';
import { Timeline } from '../components/timeline.js';
import { decisionMessage } from '../decisions.js';
import { formatTime } from '../format.js';
import { usePolling } from '../hooks.js';
import { BASE } from '../router.js';

/** How often an open incident page reads the incident again. */
export const DETAIL_REFRESH_MS = 5_000;
/** After a decision, read back sooner: the queue handler applies it within seconds. */
const READ_BACK_AFTER_MS = [1_000, 2_500, 5_000];

function Summary({ detail }: { readonly detail: IncidentDetail }) {
  const { incident } = detail;
  return (
    <dl class="summary">
      <dt>Severity</dt>
      <dd>
        <span class={`band band-${incident.severityBand.toLowerCase()}`}>{incident.severityBand}</span>
      </dd>
      <dt>Status</dt>
      <dd>
        <span class={`status status-${incident.status}`}>{incident.status}</span>
        {incident.dryRun && <span class="tag">dry run</span>}
      </dd>
      <dt>Account</dt>
      <dd class="mono">
        {incident.target.accountId} · {incident.target.region}
      </dd>
      <dt>Resource</dt>
      <dd class="mono">
        {incident.resources.length > 0 ? incident.resources.map((r) => r.key).join(', ') : '—'}
        {incident.protectedResources.length > 0 && (
          <span class="tag">protected: {incident.protectedResources.join(', ')}</span>
        )}
      </dd>
      <dt>Playbook</dt>
      <dd>{incident.playbookId}</dd>
      <dt>Incident</dt>
      <dd class="mono">{incident.incidentId}</dd>
      <dt>Opened</dt>
      <dd>{formatTime(incident.openedAt)}</dd>
      <dt>Updated</dt>
      <dd>{formatTime(incident.updatedAt)}</dd>
      {incident.rollbackRequestedAt && (
        <>
          <dt>Rollback requested</dt>
          <dd>
            {formatTime(incident.rollbackRequestedAt)}
            {incident.rollbackRequestedBy && ` by ${incident.rollbackRequestedBy}`}
          </dd>
        </>
      )}
      {incident.resolvedAt && (
        <>
          <dt>Resolved</dt>
          <dd>
            {formatTime(incident.resolvedAt)}
            {incident.resolvedBy && ` by ${incident.resolvedBy}`}
          </dd>
        </>
      )}
      {incident.disposition && (
        <>
          <dt>Disposition</dt>
          <dd>
            {incident.disposition.disposition} ({incident.disposition.category}), decided by{' '}
            {incident.disposition.decidedBy}
            {incident.disposition.source === 'jira' && ' in Jira'}
          </dd>
        </>
      )}
    </dl>
  );
}

/**
 * One incident: summary, findings, what is waiting for a person, the steps (with Approve/Reject for
 * approvers), rollback and resolve (for responders), the timeline, the evidence and the report. Read
 * again every {@link DETAIL_REFRESH_MS}, and soon after each decision.
 */
export function IncidentDetailPage(props: {
  readonly api: OperatorApi;
  readonly id: string;
  readonly role: Role | undefined;
}) {
  const { api, id, role } = props;
  const detail = usePolling(() => api.getIncident(id), `incident:${id}`, DETAIL_REFRESH_MS);
  const [reasons, setReasons] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState('');
  const [rollbackOpen, setRollbackOpen] = useState(false);
  const [resolveOpen, setResolveOpen] = useState(false);
  const timers = useRef<ReturnType<typeof setTimeout>[]>([]);
  useEffect(() => () => timers.current.forEach(clearTimeout), []);

  const decide = (decision: Decision, reason: string) => {
    setBusy(true);
    setMessage('');
    api.decide(id, decision, reason).then(
      (accepted) => {
        setMessage(decisionMessage(decision, accepted));
        if ('stepId' in decision) setReasons(({ [decision.stepId]: _done, ...rest }) => rest);
        setBusy(false);
        detail.reload();
        timers.current.push(...READ_BACK_AFTER_MS.map((ms) => setTimeout(detail.reload, ms)));
      },
      (error: unknown) => {
        setMessage(decisionMessage(decision, error instanceof Error ? error : new Error(String(error))));
        setBusy(false);
      },
    );
  };

  const data = detail.data;
  if (!data) {
    return (
      <>
        <p>
          <Link href={BASE}>← All incidents</Link>
        </p>
        {detail.error ? (
          <>
            <h1>Incident {id}</h1>
            <p role="alert" class="error">
              Could not read the incident: {detail.error}
            </p>
          </>
        ) : (
          <p>Loading the incident…</p>
        )}
      </>
    );
  }

  const { incident, steps, timeline } = data;
  const awaiting = steps
    .map((step, index) => ({ step, index }))
    .filter(({ step }) => step.status === 'awaiting-approval');
  const canRespond = roleAllows(role, 'responder');
  const rollbackPossible = !['resolved', 'rolling-back', 'rolled-back'].includes(incident.status);

  return (
    <>
      <p>
        <Link href={BASE}>← All incidents</Link>
      </p>
      <h1>{incident.summary || incident.incidentId}</h1>
      {detail.error && (
        <p role="alert" class="error">
          Could not refresh: {detail.error} (showing what was read at{' '}
          {formatTime(detail.loadedAt?.toISOString())})
        </p>
      )}
      <Summary detail={data} />

      {canRespond && (
        <div class="buttons actions">
          {rollbackPossible && (
            <button type="button" class="danger" disabled={busy} onClick={() => setRollbackOpen(true)}>
              Roll back
            </button>
          )}
          {incident.status !== 'resolved' && (
            <button type="button" disabled={busy} onClick={() => setResolveOpen(true)}>
              Resolve
            </button>
          )}
        </div>
      )}
      <RollbackDialog
        open={rollbackOpen}
        onClose={() => setRollbackOpen(false)}
        onConfirm={(reason) => {
          setRollbackOpen(false);
          decide({ kind: 'rollback' }, reason);
        }}
      />
      <ResolveDialog
        open={resolveOpen}
        onClose={() => setResolveOpen(false)}
        onConfirm={(resolution, reason) => {
          setResolveOpen(false);
          decide({ kind: 'resolve', ...resolution }, reason);
        }}
      />
      <p role="status" class="status-line">
        {message}
      </p>

      {awaiting.length > 0 && (
        <section aria-labelledby="waiting-heading" class="waiting">
          <h2 id="waiting-heading">Waiting for approval</h2>
          <ul>
            {awaiting.map(({ step, index }) => (
              <li key={step.stepId}>
                <a href={`#${stepAnchor(index)}`}>{step.action}</a> ({step.stepId}):{' '}
                {(step.holdReasons ?? []).join(', ') || 'approval required'}; {(step.approvals ?? []).length}{' '}
                of {step.approvalsRequired ?? 1} approvals
              </li>
            ))}
          </ul>
          {!roleAllows(role, 'approver') && (
            <p class="muted">Only an approver can approve or reject these steps.</p>
          )}
        </section>
      )}

      {incident.findings.length > 0 && (
        <section aria-labelledby="findings-heading">
          <h2 id="findings-heading">Findings</h2>
          <ul>
            {incident.findings.map((finding) => (
              <li key={`${finding.source}:${finding.id}`}>
                <span class={`band band-${finding.band.toLowerCase()}`}>{finding.band}</span> {finding.title}{' '}
                <span class="muted">
                  ({finding.source} · {finding.type} · seen {finding.count}×)
                </span>
              </li>
            ))}
          </ul>
        </section>
      )}
      {incident.notes.length > 0 && (
        <section aria-labelledby="notes-heading">
          <h2 id="notes-heading">Notes</h2>
          <ul>
            {incident.notes.map((note) => (
              <li key={note}>{note}</li>
            ))}
          </ul>
        </section>
      )}

      <Steps
        steps={steps}
        controls={{
          canDecide: roleAllows(role, 'approver'),
          busy,
          reasons,
          onReason: (stepId, reason) => setReasons((current) => ({ ...current, [stepId]: reason })),
          onDecide: (stepId, kind) => decide({ kind, stepId }, reasons[stepId] ?? ''),
        }}
      />
      <Timeline entries={timeline} />
      <Evidence api={api} incidentId={incident.incidentId} />
      <Report api={api} incidentId={incident.incidentId} />
    </>
  );
}
