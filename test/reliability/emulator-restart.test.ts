/**
 * The emulator restarted mid-run. The services talk to a proxy whose upstream is a moto server of
 * this test's own; moto keeps its state in memory, so a restart loses queues, table, bucket and
 * resources. The run re-bootstraps (as an operator would redeploy) and asserts that the system
 * recovers by itself: no service exits, all become healthy again, and findings sent after the
 * restart become completed incidents. Findings in flight at the restart are lost with the
 * emulator's state; that is the emulator's loss, not the system's, and is reported as such.
 */
import { DEFAULT_EMULATOR_ACCOUNT_ID, type AwsEmulator, eventually, startAwsEmulator } from '@ir/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy.js';
import { findingsOnNewInstances } from '../support/findings.js';
import { waitForIncidents } from '../support/incident-progress.js';
import { findingsWithoutIncident, printCounts } from '../support/ledger.js';
import { FAULT_TUNING } from '../support/reliability-fixture.js';
import { type RunningSystem, startSystem } from '../support/system.js';

/** A moto server of this file's own, whatever emulator the rest of the run uses. */
const ownMoto = () =>
  startAwsEmulator({ env: { ...process.env, AWS_ENDPOINT_URL: '', IR_AWS_EMULATOR: 'moto' } });

describe('the AWS emulator restarted mid-run', () => {
  let emulator: AwsEmulator;
  let proxy: FaultProxy;
  let system: RunningSystem;
  beforeAll(async () => {
    emulator = await ownMoto();
    proxy = await startFaultProxy({ upstream: emulator.endpoint });
    // The emulator's default account and static keys: keys STS issued would die with its state.
    system = await startSystem({
      endpoint: proxy.url,
      region: process.env.AWS_REGION ?? 'us-east-1',
      account: {
        accountId: DEFAULT_EMULATOR_ACCOUNT_ID,
        credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
      },
      env: FAULT_TUNING,
    });
  }, 300_000);
  afterAll(async () => {
    await system?.stop();
    await proxy?.stop();
    await emulator?.stop();
  }, 120_000);

  const findingsAbout = async (count: number) => (await findingsOnNewInstances(system, count)).findings;

  it('services ride out the outage, and findings after the re-bootstrap complete', async () => {
    // Prepare: the system works before the restart
    const before = await findingsAbout(2);
    await system.sendFindings(before);
    const beforeIds = before.map((finding) => String(finding.detail.id));
    await waitForIncidents(system.api, { count: 2, done: (view) => view.incident.status === 'completed' });
    const inFlight = await findingsAbout(2);
    await system.sendFindings(inFlight);

    // Act: stop moto mid-run, leave the services without AWS for a while, start a fresh one
    await emulator.stop();
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    emulator = await ownMoto();
    proxy.setUpstream(emulator.endpoint);
    await system.rebootstrap();
    const after = await findingsAbout(3);
    const afterIds = after.map((finding) => String(finding.detail.id));
    await system.sendFindings(after);
    const views = await waitForIncidents(system.api, {
      count: 3,
      filter: (view) => findingsWithoutIncident(afterIds, [view]).length < afterIds.length,
      done: (view) => view.incident.status === 'completed',
      timeoutMs: 240_000,
    });

    // Assess
    await eventually(async () => (await system.health()).length === 0, 60_000, 'every service healthy');
    const lostAfter = findingsWithoutIncident(afterIds, views);
    printCounts('emulator restart', {
      injected: 1,
      upstreamErrorsDuringOutage: proxy.counts().upstreamErrors,
      completedBefore: beforeIds.length,
      lostWithEmulatorState: inFlight.length,
      survived: afterIds.length - lostAfter.length,
      lost: lostAfter.length,
    });
    expect(proxy.counts().upstreamErrors).toBeGreaterThan(0);
    expect(lostAfter).toEqual([]);
    expect(system.unexpectedExits).toEqual([]);
  });
});
