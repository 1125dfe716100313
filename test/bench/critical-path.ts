import { request } from 'node:http';
import type { RecordedCall } from '../support/fault-proxy.js';
import { quantile } from './stats.js';

/** EC2-style resource ids (`sg-…`, `snap-…`, `eni-…`) in an answer. */
const AWS_RESOURCE_ID = /\b(?:sg|snap|eni|vol|ami|i)-[0-9a-f]{8,17}\b/g;

/** SQS calls that name a delivered message by its receipt handle only. */
const ACKNOWLEDGEMENTS = new Set([
  'DeleteMessage',
  'DeleteMessageBatch',
  'ChangeMessageVisibility',
  'ChangeMessageVisibilityBatch',
]);

/** The receipt handles of the messages a ReceiveMessage answer delivered that mention an id. */
function handlesDelivered(answer: string, mentions: (text: string) => boolean): string[] {
  try {
    const parsed = JSON.parse(answer) as { Messages?: { Body?: string; ReceiptHandle?: string }[] };
    return (parsed.Messages ?? []).flatMap((message) =>
      message.ReceiptHandle && mentions(message.Body ?? '') ? [message.ReceiptHandle] : [],
    );
  } catch {
    return [];
  }
}

/**
 * The recorded calls (in order) that were work for one incident: a call naming one of the incident's
 * ids (incident, finding, instance, its VPC, ENIs, volumes, groups, subnets) in its request; a
 * ReceiveMessage that delivered a message naming one; a DeleteMessage or ChangeMessageVisibility
 * of a message so delivered (found by its receipt handle); and calls naming what the incident's
 * creates made (the ids in their answers). Empty long polls, queue-depth reads and
 * other incidents' calls are left out.
 */
export function isWorkFor(ids: readonly string[]): (calls: readonly RecordedCall[]) => RecordedCall[] {
  return (calls) => {
    const wanted = new Set(ids.filter((id) => id.length > 0));
    const mentions = (text: string) => [...wanted].some((id) => text.includes(id));
    const handles = new Set<string>();
    return calls.filter((call) => {
      if (call.operation.startsWith('Create') && mentions(`${call.path} ${call.body.toString('utf8')}`)) {
        // What the incident's work created (an isolation group, a snapshot) is its work from now on.
        for (const id of call.answer.match(AWS_RESOURCE_ID) ?? []) wanted.add(id);
        return true;
      }
      if (call.operation === 'ReceiveMessage') {
        const delivered = call.returnedMessages ? handlesDelivered(call.answer, mentions) : [];
        for (const handle of delivered) handles.add(handle);
        return delivered.length > 0;
      }
      if (call.operation === 'GetQueueAttributes') return false;
      const request = `${call.path} ${call.body.toString('utf8')}`;
      if (ACKNOWLEDGEMENTS.has(call.operation))
        return [...handles].some((handle) => request.includes(handle));
      return mentions(request);
    });
  };
}

/** A ReceiveMessage replayed without waiting: the message it once returned is gone. */
function withoutWait(call: RecordedCall): Buffer {
  if (call.operation !== 'ReceiveMessage') return call.body;
  try {
    const body = JSON.parse(call.body.toString('utf8')) as Record<string, unknown>;
    return Buffer.from(JSON.stringify({ ...body, WaitTimeSeconds: 0 }));
  } catch {
    return call.body;
  }
}

function replayOne(endpoint: URL, call: RecordedCall): Promise<void> {
  return new Promise((resolve, reject) => {
    const body = withoutWait(call);
    const sent = request(
      {
        hostname: endpoint.hostname,
        port: endpoint.port,
        method: call.method,
        path: call.path,
        headers: { ...call.headers, host: endpoint.host, 'content-length': String(body.length) },
      },
      (answer) => {
        answer.resume();
        answer.on('end', () => resolve());
      },
    );
    sent.on('error', reject);
    sent.end(body);
  });
}

/**
 * The floor for one isolation on this emulator: the AWS calls one isolation made (recorded by the
 * proxy), made again one after another straight to the emulator, `runs` times; the median total in
 * seconds. Replayed writes may now fail (a condition no longer holds, a receipt handle expired) but
 * still cost the emulator a request, which is what is measured. Run it after the services stopped,
 * since replayed SendMessage calls add messages to the queues.
 */
export async function criticalPathSeconds(
  emulatorEndpoint: string,
  calls: readonly RecordedCall[],
  runs = 5,
): Promise<{ seconds: number; runs: number[] }> {
  const endpoint = new URL(emulatorEndpoint);
  const totals: number[] = [];
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    for (const call of calls) await replayOne(endpoint, call);
    totals.push((performance.now() - started) / 1000);
  }
  return { seconds: quantile(totals, 0.5), runs: totals };
}
