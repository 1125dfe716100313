import {
  type DurationPercentiles,
  type IncidentRecord,
  IncidentStatus,
  operatorApi,
  type ResponseTimeStats,
} from '@ir/contracts';
import type { Logger } from '@ir/runtime';
import type { FastifyInstance } from 'fastify';
import { authorize, type Authenticator } from '../api/auth.js';
import { useZodSchemas } from '../api/zod-schemas.js';
import { unresolvedStatuses } from '../model.js';
import type { IncidentRepository, IncidentSummary } from '../repository/incident-repository.js';

/**
 * Incidents read per status for one answer. Why a bound: the console's overview refreshes on a
 * timer, and a storm must not turn each refresh into a scan of the table; past it the answer says
 * `truncated` and covers the newest incidents.
 */
export const RESPONSE_TIMES_READ_LIMIT = 1000;

const seconds = (from: string, to: string) => Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000);

/**
 * The `p`th percentile (0 < p ≤ 100) of `values` by the nearest-rank method: the smallest value with
 * at least p % of the values at or below it, so every answer is a duration an incident really had.
 * `null` for no values.
 */
export function percentile(values: readonly number[], p: number): number | null {
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile ${p} is not in (0, 100]`);
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? null;
}

/** p50, p95 and the count of `values`. */
export function durationPercentiles(values: readonly number[]): DurationPercentiles {
  return { p50: percentile(values, 50), p95: percentile(values, 95), count: values.length };
}

/**
 * MTTI and MTTE over `incidents`, with the definitions of the `ir_time_to_isolate_seconds` and
 * `ir_time_to_evidence_seconds` metrics (state/results.ts): from `receivedAt` (detection received the
 * first finding) to `firstContainedAt` (the first containment step succeeded) and to
 * `evidenceSealedAt` (a sealing step succeeded); dry runs are left out, as the metrics leave them out.
 */
export function responseTimes(incidents: readonly IncidentRecord[]): {
  readonly mtti: DurationPercentiles;
  readonly mtte: DurationPercentiles;
} {
  const real = incidents.filter((incident) => !incident.dryRun);
  const isolate = real.flatMap((incident) =>
    incident.firstContainedAt ? [seconds(incident.receivedAt, incident.firstContainedAt)] : [],
  );
  const evidence = real.flatMap((incident) =>
    incident.evidenceSealedAt ? [seconds(incident.receivedAt, incident.evidenceSealedAt)] : [],
  );
  return { mtti: durationPercentiles(isolate), mtte: durationPercentiles(evidence) };
}

/** What the route needs. */
export interface ResponseTimesDeps {
  readonly repository: IncidentRepository;
  readonly authenticator: Authenticator;
  readonly logger: Logger;
  readonly clock: () => Date;
}

/**
 * The statistics of the last `hours` from the table: incidents opened in the window (read per status
 * from the status index, newest first, at most {@link RESPONSE_TIMES_READ_LIMIT} per status), their
 * MTTI and MTTE percentiles, and how many incidents are unresolved now.
 */
export async function responseTimeStats(
  repository: IncidentRepository,
  hours: number,
  now: Date,
): Promise<ResponseTimeStats> {
  const since = now.getTime() - hours * 3600_000;
  const [lists, counts] = await Promise.all([
    Promise.all(IncidentStatus.options.map((status) => repository.list(status, RESPONSE_TIMES_READ_LIMIT))),
    Promise.all(unresolvedStatuses.map((status) => repository.count(status))),
  ]);
  const inWindow = (summary: IncidentSummary) => Date.parse(summary.incident.openedAt) >= since;
  // A full list whose oldest incident is still in the window may have left older ones in it unread.
  const truncated = lists.some(
    (list) => list.length >= RESPONSE_TIMES_READ_LIMIT && inWindow(list[list.length - 1] as IncidentSummary),
  );
  const incidents = lists
    .flat()
    .filter(inWindow)
    .map((summary) => summary.incident);
  return {
    windowHours: hours,
    incidents: incidents.length,
    open: counts.reduce((sum, count) => sum + count, 0),
    truncated,
    ...responseTimes(incidents),
  };
}

/**
 * `GET /stats/response-times?hours=24` (role viewer, as the contract declares), in its own scope
 * behind the same bearer-token hook as the rest of the operator API.
 */
export function responseTimesRoute(deps: ResponseTimesDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    await app.register(async (plain) => {
      plain.addHook('onRequest', authorize(deps.authenticator, deps.logger));
      const scope = useZodSchemas(plain);
      const { responseTimes: route } = operatorApi;
      scope.get(route.url, { schema: route.schema }, async (request, reply) =>
        reply.send(await responseTimeStats(deps.repository, request.query.hours, deps.clock())),
      );
    });
  };
}
