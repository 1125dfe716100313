import { describe, expect, it } from 'vitest';
import { attributeMtti, type ReceivedSpan, traceRows } from './traces.js';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();

let nextId = 0;
/** A span as the receiver hands it over, times in ms after T0. */
function span(
  fields: Partial<ReceivedSpan> & Pick<ReceivedSpan, 'service' | 'name' | 'traceId'>,
  startMs: number,
  endMs: number,
): ReceivedSpan {
  nextId += 1;
  return {
    spanId: `span-${nextId}`,
    parentSpanId: '',
    kind: 5,
    attributes: {},
    status: 0,
    ...fields,
    startMs: T0 + startMs,
    endMs: T0 + endMs,
  };
}

/** A handler span: consumer kind, `handle <type>`, the queue wait and (when known) the incident. */
function handler(
  service: string,
  type: string,
  parent: ReceivedSpan | undefined,
  times: { wait: number; start: number; end: number; incidentId?: string },
) {
  return span(
    {
      service,
      name: `handle ${type}`,
      traceId: parent?.traceId ?? 'trace-a',
      parentSpanId: parent?.spanId ?? '',
      attributes: {
        'ir.message.type': type,
        'messaging.queue_wait_ms': times.wait,
        ...(times.incidentId ? { 'ir.incident_id': times.incidentId } : {}),
      },
    },
    times.start,
    times.end,
  );
}

const awsCall = (parent: ReceivedSpan, start: number, end: number) =>
  span(
    {
      service: parent.service,
      name: 'aws.Call',
      traceId: parent.traceId,
      parentSpanId: parent.spanId,
      kind: 3,
    },
    start,
    end,
  );

describe('attributeMtti', () => {
  it('splits MTTI along the chain of handlers into queue wait, handler time and AWS time', () => {
    // Prepare: finding → coordinator → isolator, whose containment step completes at 370.
    const detection = handler('detection', 'finding', undefined, { wait: 30, start: 0, end: 50 });
    const opened = handler('response-coordinator', 'incident.opened', detection, {
      wait: 20,
      start: 60,
      end: 200,
      incidentId: 'inc-1',
    });
    const contain = handler('isolator', 'contain.ec2-instance', opened, {
      wait: 20,
      start: 170,
      end: 400,
      incidentId: 'inc-1',
    });
    // Off the path: a notice handled in parallel, evidence sealed in forensics while the isolator
    // completes the containment, the coordinator's handling of the result, another incident's trace.
    const notice = handler('notifier', 'incident.opened', opened, {
      wait: 5,
      start: 300,
      end: 310,
      incidentId: 'inc-1',
    });
    const seal = handler('forensics', 'evidence.seal', opened, {
      wait: 5,
      start: 300,
      end: 450,
      incidentId: 'inc-1',
    });
    const succeeded = handler('response-coordinator', 'step.succeeded', contain, {
      wait: 25,
      start: 420,
      end: 500,
      incidentId: 'inc-1',
    });
    const other = span(
      {
        service: 'isolator',
        name: 'handle contain.ec2-instance',
        traceId: 'trace-b',
        attributes: { 'ir.incident_id': 'inc-2', 'ir.message.type': 'contain.ec2-instance' },
      },
      200,
      480,
    );
    const spans = [
      detection,
      awsCall(detection, 10, 30),
      opened,
      // Two overlapping calls count once (70–110), a call after publishing (180) is off the path.
      awsCall(opened, 70, 100),
      awsCall(opened, 90, 110),
      awsCall(opened, 180, 190),
      contain,
      awsCall(contain, 180, 390),
      notice,
      awsCall(notice, 301, 309),
      seal,
      awsCall(seal, 310, 440),
      succeeded,
      awsCall(succeeded, 430, 460),
      other,
    ];
    const incidents = [
      { incidentId: 'inc-1', receivedAt: at(5), firstContainedAt: at(370) },
      { incidentId: 'inc-3', receivedAt: at(0), firstContainedAt: at(900) },
      { incidentId: 'inc-4', receivedAt: at(0) },
    ];
    // Act
    const breakdown = attributeMtti(spans, incidents);
    // Assess
    expect(breakdown).toMatchObject({ spans: spans.length, contained: 2, traced: 1, mttiMs: 365 });
    expect(breakdown.hops).toEqual([
      { hop: '1. detection finding', incidents: 1, waitMs: 30, handlerMs: 20, awsMs: 20 },
      { hop: '2. response-coordinator incident.opened', incidents: 1, waitMs: 20, handlerMs: 50, awsMs: 40 },
      { hop: '3. isolator contain.ec2-instance', incidents: 1, waitMs: 20, handlerMs: 10, awsMs: 190 },
    ]);
    // 365 ms of MTTI; 370 attributed, since receivedAt was read 5 ms into the first handler.
    expect(breakdown.unattributedMs).toBe(-5);
    expect(traceRows(breakdown).map(([label]) => label)).toContain('  3. isolator contain.ec2-instance');
  });

  it('reports no hops when no span names the incident', () => {
    // Prepare
    const lone = handler('detection', 'finding', undefined, { wait: 1, start: 0, end: 10 });
    // Act
    const breakdown = attributeMtti(
      [lone],
      [{ incidentId: 'inc-9', receivedAt: at(0), firstContainedAt: at(5) }],
    );
    // Assess
    expect(breakdown.traced).toBe(0);
    expect(breakdown.hops).toEqual([]);
  });
});
