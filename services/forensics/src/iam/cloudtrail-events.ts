import {
  type CloudTrailClient,
  type Event,
  LookupEventsCommand,
  type LookupAttributeKey,
} from '@aws-sdk/client-cloudtrail';
import { errorMessage, errorName, isThrottling } from '@ir/runtime';

/** What to look up: one attribute, as LookupEvents allows. */
export interface LookupTarget {
  readonly key: LookupAttributeKey;
  readonly value: string;
}

/** Bounds of one look-up: CloudTrail allows 2 requests/s per account, so pages are capped. */
export interface LookupBounds {
  readonly now: Date;
  readonly lookbackHours: number;
  readonly maxPages: number;
}

/** The recent events of a principal, or why they could not be read. */
export interface RecentEvents {
  readonly available: boolean;
  /** Set when not available: "CloudTrail not available: <error>". */
  readonly reason: string | null;
  readonly attribute: LookupTarget;
  readonly window: { readonly start: string; readonly end: string };
  readonly pages: number;
  /** More events existed in the window than the page cap let us read. */
  readonly truncated: boolean;
  readonly events: ReadonlyArray<Omit<Event, 'CloudTrailEvent'> & { CloudTrailEvent: unknown }>;
}

const parseEvent = (text: string | undefined): unknown => {
  if (!text) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
};

const shape = (event: Event) => ({ ...event, CloudTrailEvent: parseEvent(event.CloudTrailEvent) });

/**
 * A principal's CloudTrail management events in `[now - lookbackHours, now]`, at most `maxPages` pages
 * of 50. Any failure except throttling degrades to `available: false` with the reason, because the
 * rest of the IAM evidence is worth more than a failed step (trails may be off, the region may not
 * support it, the role may lack `cloudtrail:LookupEvents`). Throttling propagates: the step is retried
 * before anything is written.
 */
export async function recentEvents(
  cloudTrail: CloudTrailClient,
  attribute: LookupTarget,
  bounds: LookupBounds,
): Promise<RecentEvents> {
  const end = bounds.now;
  const start = new Date(end.getTime() - bounds.lookbackHours * 3_600_000);
  const window = { start: start.toISOString(), end: end.toISOString() };
  const events: Event[] = [];
  let pages = 0;
  let nextToken: string | undefined;
  try {
    do {
      const page = await cloudTrail.send(
        new LookupEventsCommand({
          LookupAttributes: [{ AttributeKey: attribute.key, AttributeValue: attribute.value }],
          StartTime: start,
          EndTime: end,
          MaxResults: 50,
          ...(nextToken ? { NextToken: nextToken } : {}),
        }),
      );
      pages += 1;
      events.push(...(page.Events ?? []));
      nextToken = page.NextToken;
    } while (nextToken && pages < bounds.maxPages);
  } catch (error: unknown) {
    if (isThrottling(error)) throw error;
    const reason = `CloudTrail not available: ${errorName(error)}: ${errorMessage(error)}`.slice(0, 500);
    if (pages > 0) {
      // Pages already read are evidence; keep them and say the rest could not be read.
      return {
        available: true,
        reason,
        attribute,
        window,
        pages,
        truncated: true,
        events: events.map(shape),
      };
    }
    return {
      available: false,
      reason,
      attribute,
      window,
      pages,
      truncated: false,
      events: [],
    };
  }
  return {
    available: true,
    reason: null,
    attribute,
    window,
    pages,
    truncated: nextToken !== undefined,
    events: events.map(shape),
  };
}
