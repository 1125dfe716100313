import { useEffect, useState } from 'preact/hooks';
import type { OperatorApi } from '../api.js';
import { reportFileName, saveBlob } from '../download.js';
import { renderMarkdown } from '../markdown.js';

/**
 * The report: its Markdown rendering, read when the person asks for it (building the report runs the
 * evidence verifier in the coordinator, which is not free, and most of it repeats the page), and a
 * download of the JSON document, fetched with the person's token.
 */
export function Report(props: { readonly api: OperatorApi; readonly incidentId: string }) {
  const { api, incidentId } = props;
  const [shown, setShown] = useState(false);
  const [html, setHtml] = useState<string | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [loading, setLoading] = useState(false);
  const [downloadError, setDownloadError] = useState<string | undefined>();

  const load = () => {
    setLoading(true);
    api.getReportMarkdown(incidentId).then(
      (markdown) => {
        setHtml(renderMarkdown(markdown));
        setError(undefined);
        setLoading(false);
      },
      (failure: unknown) => {
        setError(failure instanceof Error ? failure.message : String(failure));
        setLoading(false);
      },
    );
  };
  // Another incident: forget the last one's report.
  useEffect(() => {
    setShown(false);
    setHtml(undefined);
    setError(undefined);
  }, [incidentId]);

  const toggle = () => {
    if (!shown && html === undefined && !loading) load();
    setShown(!shown);
  };

  const download = () => {
    setDownloadError(undefined);
    api.getReportBlob(incidentId).then(
      (blob) => saveBlob(blob, reportFileName(incidentId)),
      (failure: unknown) => setDownloadError(failure instanceof Error ? failure.message : String(failure)),
    );
  };

  return (
    <section aria-labelledby="report-heading">
      <h2 id="report-heading">Report</h2>
      <div class="buttons">
        <button type="button" aria-expanded={shown} aria-controls="report-body" onClick={toggle}>
          {shown ? 'Hide report' : 'Show report'}
        </button>
        <button type="button" onClick={download}>
          Download report (JSON)
        </button>
        {shown && (
          <button type="button" onClick={load} disabled={loading}>
            Reload report
          </button>
        )}
      </div>
      {downloadError && <p class="error">Could not download the report: {downloadError}</p>}
      <div id="report-body" hidden={!shown}>
        {error && <p class="error">Could not read the report: {error}</p>}
        {loading && html === undefined && <p>Loading the report…</p>}
        {html !== undefined && (
          <div
            class="markdown"
            // The one HTML insertion of the console. Safe: markdown-it with html:false escapes raw HTML
            // (a finding's <script> arrives as text), its link validation drops javascript:/data: links,
            // and images are off (see markdown.ts and its unit tests).
            dangerouslySetInnerHTML={{ __html: html }}
          />
        )}
      </div>
    </section>
  );
}
