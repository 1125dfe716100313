/**
 * Where an incident's time to isolate goes, from its trace: every service exports its spans
 * (`IR_OTLP_ENDPOINT`) to a local OTLP/HTTP receiver, and the causal chain of handled messages from
 * the finding to the handler that recorded the containment is split, hop by hop, into queue wait,
 * handler time and AWS time.
 */
import type { ReceivedSpan } from '@ir/testkit';
import { round } from './stats.js';

export type { ReceivedSpan } from '@ir/testkit';

/** OTLP's SpanKind values of the runtime's spans. */
const CLIENT = 3;
const CONSUMER = 5;

/** What the attribution needs of an incident record. */
export interface IncidentTimes {
  readonly incidentId: string;
  readonly receivedAt: string;
  readonly firstContainedAt?: string | undefined;
}

/** One hop of the chain: a message handled by a service. Means over the incidents that had it. */
export interface HopRow {
  /** `2. response-coordinator incident.opened`: position in the chain, service, message type. */
  readonly hop: string;
  readonly incidents: number;
  /** From the message's SentTimestamp to its handling. The first hop's is before `receivedAt`. */
  readonly waitMs: number;
  /** Handler time outside AWS calls, up to the next hop's message being sent (or the containment). */
  readonly handlerMs: number;
  /** Time inside AWS calls (their union, so parallel calls count once), in the same window. */
  readonly awsMs: number;
}

/** MTTI, split by hop. Times are means in milliseconds over the incidents whose chain was found. */
export interface TraceBreakdown {
  readonly spans: number;
  /** Incidents contained, and of those how many had a complete chain in the traces. */
  readonly contained: number;
  readonly traced: number;
  readonly mttiMs: number;
  readonly hops: readonly HopRow[];
  /** MTTI minus every hop's handler and AWS time and every later hop's wait: gaps between spans. */
  readonly unattributedMs: number;
}

/** Total length of the union of intervals, each clipped to [from, to]. */
function unionMs(intervals: ReadonlyArray<readonly [number, number]>, from: number, to: number): number {
  const clipped = intervals
    .map(([start, end]) => [Math.max(start, from), Math.min(end, to)] as const)
    .filter(([start, end]) => end > start)
    .sort((a, b) => a[0] - b[0]);
  let total = 0;
  let coveredTo = from;
  for (const [start, end] of clipped) {
    if (end <= coveredTo) continue;
    total += end - Math.max(start, coveredTo);
    coveredTo = end;
  }
  return total;
}

const isHandler = (span: ReceivedSpan) => span.kind === CONSUMER && span.name.startsWith('handle ');
const waitOf = (span: ReceivedSpan) => Number(span.attributes['messaging.queue_wait_ms'] ?? 0);

/**
 * The chain of handler spans that led to the containment: the handler of this incident's containment
 * step (`contain.*`) running at `firstContainedAt` — the coordinator takes that time from the step
 * result's `completedAt`, stamped by the isolator when the containment was verified; evidence steps
 * of the same incident may be running in forensics at that moment, off the path — then its parent (the handler that published its message), and so
 * on to the root (the finding's handler in detection). Undefined when no such span was received.
 */
export function containmentChain(
  spans: readonly ReceivedSpan[],
  incidentId: string,
  containedAtMs: number,
): ReceivedSpan[] | undefined {
  const traceIds = new Set(
    spans.filter((span) => span.attributes['ir.incident_id'] === incidentId).map((span) => span.traceId),
  );
  const candidates = spans.filter(
    (span) =>
      isHandler(span) &&
      traceIds.has(span.traceId) &&
      span.attributes['ir.incident_id'] === incidentId &&
      span.startMs <= containedAtMs,
  );
  // Handlers enclosing the moment of containment (1 ms slack: the record's clock has ms precision),
  // a containment step's first; failing that, the last one started before it.
  const enclosing = candidates.filter((span) => span.endMs >= containedAtMs - 1);
  const containing = enclosing.filter((span) =>
    String(span.attributes['ir.message.type']).startsWith('contain.'),
  );
  const pool = containing.length > 0 ? containing : enclosing.length > 0 ? enclosing : candidates;
  const last = pool.sort((a, b) => b.startMs - a.startMs)[0];
  if (!last) return undefined;
  const byId = new Map(spans.map((span) => [span.spanId, span]));
  const chain = [last];
  for (let span = last; span.parentSpanId; ) {
    const parent = byId.get(span.parentSpanId);
    if (!parent || !isHandler(parent) || chain.includes(parent)) break;
    chain.unshift(parent);
    span = parent;
  }
  return chain;
}

/** Spans below `root` (children, their children…) that are AWS calls. */
function awsIntervals(spans: readonly ReceivedSpan[], root: ReceivedSpan): Array<readonly [number, number]> {
  const children = new Map<string, ReceivedSpan[]>();
  for (const span of spans) {
    if (span.traceId !== root.traceId || !span.parentSpanId) continue;
    const list = children.get(span.parentSpanId) ?? [];
    list.push(span);
    children.set(span.parentSpanId, list);
  }
  const out: Array<readonly [number, number]> = [];
  const stack = [...(children.get(root.spanId) ?? [])];
  for (let span = stack.pop(); span; span = stack.pop()) {
    if (span.kind === CLIENT) out.push([span.startMs, span.endMs]);
    stack.push(...(children.get(span.spanId) ?? []));
  }
  return out;
}

/**
 * Splits each contained incident's MTTI (`receivedAt` → `firstContainedAt`) along its chain. Hop
 * i's window runs from its handler's start to when hop i+1's message was sent (its start minus its
 * queue wait) — what the handler did after publishing is not on the path — and, for the last hop,
 * to the containment. Rows are means over the incidents that had that hop at that position.
 */
export function attributeMtti(
  spans: readonly ReceivedSpan[],
  incidents: readonly IncidentTimes[],
): TraceBreakdown {
  const rows = new Map<string, { order: number; n: number; wait: number; handler: number; aws: number }>();
  const contained = incidents.filter((incident) => incident.firstContainedAt);
  let traced = 0;
  let mtti = 0;
  let unattributed = 0;
  for (const incident of contained) {
    const containedAt = Date.parse(incident.firstContainedAt as string);
    const chain = containmentChain(spans, incident.incidentId, containedAt);
    if (!chain) continue;
    traced += 1;
    const incidentMtti = containedAt - Date.parse(incident.receivedAt);
    let attributed = 0;
    chain.forEach((span, index) => {
      const next = chain[index + 1];
      const windowEnd = next ? next.startMs - waitOf(next) : containedAt;
      const windowMs = Math.max(0, windowEnd - span.startMs);
      const awsMs = Math.min(windowMs, unionMs(awsIntervals(spans, span), span.startMs, windowEnd));
      const waitMs = waitOf(span);
      attributed += windowMs + (index > 0 ? waitMs : 0);
      const key = `${index + 1}. ${span.service} ${span.name.replace(/^handle /, '')}`;
      const row = rows.get(key) ?? { order: index, n: 0, wait: 0, handler: 0, aws: 0 };
      row.n += 1;
      row.wait += waitMs;
      row.handler += windowMs - awsMs;
      row.aws += awsMs;
      rows.set(key, row);
    });
    mtti += incidentMtti;
    unattributed += incidentMtti - attributed;
  }
  const mean = (sum: number, n: number) => (n > 0 ? round(sum / n, 1) : Number.NaN);
  return {
    spans: spans.length,
    contained: contained.length,
    traced,
    mttiMs: mean(mtti, traced),
    hops: [...rows.entries()]
      .sort(([a, x], [b, y]) => x.order - y.order || y.n - x.n || a.localeCompare(b))
      .map(([hop, row]) => ({
        hop,
        incidents: row.n,
        waitMs: mean(row.wait, row.n),
        handlerMs: mean(row.handler, row.n),
        awsMs: mean(row.aws, row.n),
      })),
    unattributedMs: mean(unattributed, traced),
  };
}

/** The breakdown as table rows (label, value), for table.ts. */
export function traceRows(breakdown: TraceBreakdown): Array<[string, string]> {
  return [
    [
      'MTTI by hop (ms, mean)',
      `${breakdown.mttiMs} over ${breakdown.traced}/${breakdown.contained} traced incidents (${breakdown.spans} spans); wait / handler / AWS`,
    ],
    ...breakdown.hops.map(
      (row) =>
        [
          `  ${row.hop}`,
          `${row.waitMs}${row.hop.startsWith('1. ') ? ' (before MTTI)' : ''} / ${row.handlerMs} / ${row.awsMs} (n=${row.incidents})`,
        ] as [string, string],
    ),
    ['  unattributed (gaps between spans)', String(breakdown.unattributedMs)],
  ];
}
