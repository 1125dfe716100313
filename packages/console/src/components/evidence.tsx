import { ScrollTable } from './scroll-table.js';
import type { IncidentReport } from '@ir/contracts';
import { useState } from 'preact/hooks';
import type { OperatorApi } from '../api.js';
import { formatTime } from '../format.js';
import { manifestResult, verificationSummary } from '../verification.js';

/**
 * The evidence: "Verify evidence" reads the report (the coordinator verifies the evidence chain, each
 * manifest's KMS signature and each artifact's SHA-256 as it builds it) and shows the verdict, the
 * problems, the manifests and the artifacts.
 */
export function Evidence(props: { readonly api: OperatorApi; readonly incidentId: string }) {
  const [state, setState] = useState<
    | { readonly kind: 'idle' }
    | { readonly kind: 'loading' }
    | { readonly kind: 'done'; readonly report: IncidentReport }
    | { readonly kind: 'error'; readonly message: string }
  >({ kind: 'idle' });

  const verify = () => {
    setState({ kind: 'loading' });
    props.api.getReport(props.incidentId).then(
      (report) => setState({ kind: 'done', report }),
      (error: unknown) =>
        setState({ kind: 'error', message: error instanceof Error ? error.message : String(error) }),
    );
  };

  const verification = state.kind === 'done' ? state.report.verification : undefined;
  return (
    <section aria-labelledby="evidence-heading">
      <h2 id="evidence-heading">Evidence</h2>
      <button type="button" onClick={verify} disabled={state.kind === 'loading'}>
        Verify evidence
      </button>
      {state.kind !== 'idle' && (
        <section aria-label="Evidence verification" aria-busy={state.kind === 'loading'} class="verification">
          {state.kind === 'loading' && <p>Verifying the evidence…</p>}
          {state.kind === 'error' && <p class="error">Could not verify: {state.message}</p>}
          {verification && (
            <>
              <p class={verification.ok ? 'ok' : 'error'}>
                <strong>{verificationSummary(verification)}</strong>
              </p>
              <p class="muted">
                Checked {formatTime(verification.checkedAt)}
                {verification.bucket && ` in bucket ${verification.bucket}`}.
              </p>
              {verification.problems.length > 0 && (
                <>
                  <h3>Problems</h3>
                  <ul>
                    {verification.problems.map((problem) => (
                      <li key={problem}>{problem}</li>
                    ))}
                  </ul>
                </>
              )}
              {verification.manifests.length > 0 && (
                <>
                  <h3>Manifests (chain and signature)</h3>
                  <ol class="plain">
                    {verification.manifests.map((manifest) => (
                      <li key={manifest.key}>
                        <span class="mono">
                          #{manifest.sequence} {manifest.key}
                        </span>
                        : {manifestResult(manifest)}
                      </li>
                    ))}
                  </ol>
                </>
              )}
              {verification.artifacts.length > 0 && (
                <>
                  <h3>Artifacts</h3>
                  <ScrollTable label="Evidence artifacts">
                    <thead>
                      <tr>
                        <th scope="col">Artifact</th>
                        <th scope="col">Result</th>
                        <th scope="col">SHA-256</th>
                        <th scope="col">Version</th>
                        <th scope="col">Later version</th>
                      </tr>
                    </thead>
                    <tbody>
                      {verification.artifacts.map((artifact) => (
                        <tr key={`${artifact.key}@${artifact.versionId}`}>
                          <td class="mono">{artifact.key}</td>
                          <td>{artifact.status}</td>
                          <td class="mono hash">{artifact.sha256}</td>
                          <td class="mono">{artifact.versionId}</td>
                          <td class="mono">{artifact.laterVersion ?? '—'}</td>
                        </tr>
                      ))}
                    </tbody>
                  </ScrollTable>
                </>
              )}
            </>
          )}
        </section>
      )}
    </section>
  );
}
