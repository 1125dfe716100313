import type { TimelineEntry } from '@ir/contracts';
import { formatDetails, formatTime } from '../format.js';

/** The incident's timeline, oldest first, as text. */
export function Timeline(props: { readonly entries: readonly TimelineEntry[] }) {
  return (
    <section aria-labelledby="timeline-heading">
      <h2 id="timeline-heading">Timeline</h2>
      {props.entries.length === 0 && <p>Nothing recorded yet.</p>}
      <ol class="timeline">
        {props.entries.map((entry) => (
          <li key={entry.entryId}>
            <time dateTime={entry.at}>{formatTime(entry.at)}</time> <strong>{entry.kind}</strong>
            {entry.stepId && <span class="mono"> · {entry.stepId}</span>}
            {entry.detail && <div class="muted detail">{formatDetails(entry.detail)}</div>}
          </li>
        ))}
      </ol>
    </section>
  );
}
