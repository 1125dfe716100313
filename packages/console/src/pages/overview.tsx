import { ScrollTable } from '../components/scroll-table.js';
import type { DurationPercentiles } from '@ir/contracts';
import type { OperatorApi } from '../api.js';
import { openBySeverity, SEVERITY_BANDS } from '../filters.js';
import { formatDuration, formatTime } from '../format.js';
import { usePolling } from '../hooks.js';
import { BASE } from '../router.js';
import { Link } from '../components/link.js';

/** The window of the response-time percentiles. */
const WINDOW_HOURS = 24;
const OVERVIEW_REFRESH_MS = 30_000;

function PercentileRow(props: {
  readonly name: string;
  readonly what: string;
  readonly value: DurationPercentiles;
}) {
  return (
    <tr>
      <th scope="row">
        {props.name}
        <div class="muted">{props.what}</div>
      </th>
      <td>{formatDuration(props.value.p50)}</td>
      <td>{formatDuration(props.value.p95)}</td>
      <td>{props.value.count}</td>
    </tr>
  );
}

/**
 * The overview: open incidents by severity (from the incident list) and, from the coordinator's
 * records, MTTI (detection → first containment) and MTTE (detection → evidence sealed) at p50 and p95
 * over the last {@link WINDOW_HOURS} hours.
 */
export function OverviewPage(props: { readonly api: OperatorApi }) {
  const incidents = usePolling(() => props.api.listIncidents(), 'overview:incidents', OVERVIEW_REFRESH_MS);
  const times = usePolling(
    () => props.api.responseTimes(WINDOW_HOURS),
    'overview:times',
    OVERVIEW_REFRESH_MS,
  );
  const counts = incidents.data ? openBySeverity(incidents.data.incidents) : undefined;
  const total = counts ? SEVERITY_BANDS.reduce((sum, band) => sum + counts[band], 0) : undefined;

  return (
    <>
      <h1>Overview</h1>
      <section aria-labelledby="open-heading">
        <h2 id="open-heading">Open incidents{total !== undefined && `: ${total}`}</h2>
        {incidents.error && (
          <p role="alert" class="error">
            Could not read the incidents: {incidents.error}
          </p>
        )}
        {!counts && !incidents.error && <p>Loading…</p>}
        {counts && (
          <ul class="cards">
            {[...SEVERITY_BANDS].reverse().map((band) => (
              <li key={band} class={`card band-${band.toLowerCase()}`}>
                <Link href={`${BASE}?band=${band}`}>
                  <span class="count">{counts[band]}</span> <span class="label">{band}</span>
                </Link>
              </li>
            ))}
          </ul>
        )}
        <p class="muted">Open means not yet resolved; each card opens the list filtered to its severity.</p>
      </section>
      <section aria-labelledby="times-heading">
        <h2 id="times-heading">Response times, last {WINDOW_HOURS} h</h2>
        {times.error && (
          <p role="alert" class="error">
            Could not read the response times: {times.error}
          </p>
        )}
        {!times.data && !times.error && <p>Loading…</p>}
        {times.data && (
          <>
            <ScrollTable label="Response times">
              <thead>
                <tr>
                  <th scope="col">Measure</th>
                  <th scope="col">p50</th>
                  <th scope="col">p95</th>
                  <th scope="col">Incidents measured</th>
                </tr>
              </thead>
              <tbody>
                <PercentileRow name="MTTI" what="detection to first containment" value={times.data.mtti} />
                <PercentileRow name="MTTE" what="detection to evidence sealed" value={times.data.mtte} />
              </tbody>
            </ScrollTable>
            <p class="muted">
              Over {times.data.incidents} incident(s) opened in the last {times.data.windowHours} h (dry runs
              not measured).
              {times.data.truncated &&
                ' The window held more incidents than were read: the figures cover the newest.'}
              {times.loadedAt && ` Read at ${formatTime(times.loadedAt.toISOString())}.`}
            </p>
          </>
        )}
      </section>
    </>
  );
}
