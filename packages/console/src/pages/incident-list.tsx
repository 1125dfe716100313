import { ScrollTable } from '../components/scroll-table.js';
import type { IncidentStatus, SeverityBand } from '@ir/contracts';
import type { OperatorApi } from '../api.js';
import { Link } from '../components/link.js';
import {
  distinct,
  filterIncidents,
  filtersFromQuery,
  filtersToQuery,
  INCIDENT_STATUSES,
  type IncidentFilters,
  SEVERITY_BANDS,
} from '../filters.js';
import { formatTime } from '../format.js';
import { usePolling } from '../hooks.js';
import { BASE, incidentPath, navigate } from '../router.js';

/** How often the list reads the API again while the tab is visible. */
export const LIST_REFRESH_MS = 10_000;

/** `YYYY-MM-DDTHH:mm` in local time: the value a `datetime-local` input shows for an ISO time. */
function localInputValue(iso: string | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/**
 * The incident list: filters by status (on the server), severity band, account, playbook and opening
 * time (here), kept in the URL; read again every {@link LIST_REFRESH_MS}.
 */
export function IncidentListPage(props: { readonly api: OperatorApi; readonly query: URLSearchParams }) {
  const filters = filtersFromQuery(props.query);
  const list = usePolling(
    () => props.api.listIncidents(filters.status ? { status: filters.status } : {}),
    `incidents:${filters.status ?? ''}`,
    LIST_REFRESH_MS,
  );
  const incidents = list.data?.incidents ?? [];
  const shown = filterIncidents(incidents, filters);
  const accounts = distinct(
    [...incidents.map((i) => i.target.accountId), filters.accountId ?? ''].filter(Boolean),
  );
  const playbooks = distinct(
    [...incidents.map((i) => i.playbookId), filters.playbookId ?? ''].filter(Boolean),
  );

  const update = (change: Partial<Record<keyof IncidentFilters, string | undefined>>) => {
    const next: Record<string, string | undefined> = { ...filters, ...change };
    const query = filtersToQuery(
      Object.fromEntries(
        Object.entries(next).filter(([, v]) => v !== undefined && v !== ''),
      ) as IncidentFilters,
    );
    navigate(query ? `${BASE}?${query}` : BASE, true);
  };
  const selectValue = (event: Event) => (event.currentTarget as HTMLSelectElement).value || undefined;

  return (
    <>
      <h1>Incidents</h1>
      <form class="filters" aria-label="Filter incidents" onSubmit={(e) => e.preventDefault()}>
        <label>
          Status
          <select
            value={filters.status ?? ''}
            onChange={(e) => update({ status: selectValue(e) as IncidentStatus | undefined })}
          >
            <option value="">Any</option>
            {INCIDENT_STATUSES.map((status) => (
              <option key={status} value={status}>
                {status}
              </option>
            ))}
          </select>
        </label>
        <label>
          Severity
          <select
            value={filters.band ?? ''}
            onChange={(e) => update({ band: selectValue(e) as SeverityBand | undefined })}
          >
            <option value="">Any</option>
            {SEVERITY_BANDS.map((band) => (
              <option key={band} value={band}>
                {band}
              </option>
            ))}
          </select>
        </label>
        <label>
          Account
          <select value={filters.accountId ?? ''} onChange={(e) => update({ accountId: selectValue(e) })}>
            <option value="">Any</option>
            {accounts.map((account) => (
              <option key={account} value={account}>
                {account}
              </option>
            ))}
          </select>
        </label>
        <label>
          Playbook
          <select value={filters.playbookId ?? ''} onChange={(e) => update({ playbookId: selectValue(e) })}>
            <option value="">Any</option>
            {playbooks.map((playbook) => (
              <option key={playbook} value={playbook}>
                {playbook}
              </option>
            ))}
          </select>
        </label>
        <label>
          Opened after
          <input
            type="datetime-local"
            value={localInputValue(filters.openedAfter)}
            onChange={(e) => {
              const value = (e.currentTarget as HTMLInputElement).value;
              const time = value ? Date.parse(value) : Number.NaN;
              update({ openedAfter: Number.isNaN(time) ? undefined : new Date(time).toISOString() });
            }}
          />
        </label>
        <button type="button" onClick={() => navigate(BASE, true)}>
          Clear filters
        </button>
      </form>

      <div class="list-status">
        <p>
          {list.data
            ? `Showing ${shown.length} of ${incidents.length} incidents.`
            : list.loading
              ? 'Loading…'
              : ''}{' '}
          {list.loadedAt && (
            <span class="refreshed">
              Refreshed at{' '}
              <time dateTime={list.loadedAt.toISOString()}>{formatTime(list.loadedAt.toISOString())}</time>{' '}
              (every {LIST_REFRESH_MS / 1000} s).
            </span>
          )}
        </p>
        <button type="button" onClick={list.reload}>
          Refresh now
        </button>
      </div>
      {list.error && (
        <p role="alert" class="error">
          Could not read the incidents: {list.error}
        </p>
      )}

      <ScrollTable label="Incident table">
        <thead>
          <tr>
            <th scope="col">Incident</th>
            <th scope="col">Severity</th>
            <th scope="col">Status</th>
            <th scope="col">Account</th>
            <th scope="col">Playbook</th>
            <th scope="col">Opened / updated</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((incident) => (
            <tr key={incident.incidentId}>
              <td class="title">
                <Link href={incidentPath(incident.incidentId)}>
                  {incident.summary || incident.incidentId}
                </Link>
                <div class="muted mono">{incident.incidentId}</div>
              </td>
              <td>
                <span class={`band band-${incident.severityBand.toLowerCase()}`}>
                  {incident.severityBand}
                </span>
              </td>
              <td>
                <span class={`status status-${incident.status}`}>{incident.status}</span>
                {incident.dryRun && <span class="tag">dry run</span>}
              </td>
              <td class="mono nowrap">
                {incident.target.accountId}
                <div class="muted">{incident.target.region}</div>
              </td>
              <td>{incident.playbookId}</td>
              <td class="nowrap">
                {formatTime(incident.openedAt)}
                <div class="muted">{formatTime(incident.updatedAt)}</div>
              </td>
            </tr>
          ))}
          {list.data && shown.length === 0 && (
            <tr>
              <td colSpan={6}>No incidents match these filters.</td>
            </tr>
          )}
        </tbody>
      </ScrollTable>
    </>
  );
}
