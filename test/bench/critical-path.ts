import { request } from 'node:http';
import type { RecordedCall } from '../support/fault-proxy.js';
import { quantile } from './stats.js';

/**
 * Whether a recorded call was work for one incident: it names one of the incident's ids (incident,
 * finding, instance, its VPC, ENIs, volumes, groups, subnets) in its request, or, for a
 * ReceiveMessage, in the message it delivered. Empty long polls, queue-depth reads and other
 * incidents' calls are left out.
 */
export function isWorkFor(ids: readonly string[]): (call: RecordedCall) => boolean {
  const wanted = ids.filter((id) => id.length > 0);
  const mentions = (text: string) => wanted.some((id) => text.includes(id));
  return (call) => {
    if (call.operation === 'ReceiveMessage') return call.returnedMessages && mentions(call.answer);
    if (call.operation === 'GetQueueAttributes') return false;
    return mentions(`${call.path} ${call.body.toString('utf8')}`);
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
