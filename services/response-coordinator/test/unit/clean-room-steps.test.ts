import { buildMessage, type SeverityBand } from '@ir/contracts';
import type { IncidentPlan } from '@ir/playbooks';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { CLEAN_ROOM_AUTO_APPROVER } from '../../src/state/clean-room.js';
import type { DecisionContext } from '../../src/state/draft.js';
import { openIncident } from '../../src/state/open.js';
import { resolveRequested } from '../../src/state/operator.js';
import { stepSucceeded } from '../../src/state/results.js';
import { committed, context, opened, planned, succeeded } from './fixtures.js';

// The EC2 playbook's shape around the clean room: snapshot, then the approval-gated clean room.
const cleanRoomPlan = (band: SeverityBand): IncidentPlan => ({
  playbookId: 'test-playbook',
  severityBand: band,
  steps: [
    planned('snapshot', 'evidence.snapshot-volumes'),
    planned('clean-room', 'evidence.clean-room', { after: ['snapshot'], approval: 'required' }),
  ],
  notes: [],
  omitted: [],
});
const withAutoApproval = (bands: SeverityBand[]): DecisionContext => {
  const base = context();
  return { ...base, settings: { ...base.settings, autoApproveCleanRoom: bands } };
};
const resolve = buildMessage('incident.resolve-requested', {
  incidentId: 'inc-1',
  correlationId: 'corr-1',
  causationId: null,
  producer: 'api',
  dryRun: false,
  payload: { by: 'alice', reason: 'handled', disposition: 'true-positive', category: 'malware' },
});

describe('clean-room approval', () => {
  it('holds the clean room for approval by default', () => {
    // Prepare
    const opening = openIncident(opened(), () => cleanRoomPlan('HIGH'), context());
    // Act
    const draft = stepSucceeded(
      committed(opening),
      succeeded('snapshot', 'evidence.snapshot-volumes'),
      context(),
    );
    // Assess
    expect(draft.step('clean-room')?.status).toBe('awaiting-approval');
    expect(draft.step('clean-room')?.holdReasons).toEqual(['approval-required']);
  });

  it('runs it without approval when the band is in IR_AUTO_APPROVE_CLEAN_ROOM, recording who let it run', () => {
    // Prepare
    const settings = withAutoApproval(['HIGH']);
    const opening = openIncident(opened(), () => cleanRoomPlan('HIGH'), settings);
    // Act
    const draft = stepSucceeded(
      committed(opening),
      succeeded('snapshot', 'evidence.snapshot-volumes'),
      settings,
    );
    // Assess
    expect(draft.step('clean-room')).toMatchObject({
      status: 'dispatched',
      approvedBy: CLEAN_ROOM_AUTO_APPROVER,
    });
  });

  it('keeps the approval for a band not listed', () => {
    // Prepare
    const settings = withAutoApproval(['CRITICAL']);
    const opening = openIncident(opened(), () => cleanRoomPlan('HIGH'), settings);
    // Act
    const draft = stepSucceeded(
      committed(opening),
      succeeded('snapshot', 'evidence.snapshot-volumes'),
      settings,
    );
    // Assess
    expect(draft.step('clean-room')?.status).toBe('awaiting-approval');
  });
});

describe('clean-room teardown on resolve', () => {
  const dispatchedCleanRoom = () => {
    const settings = withAutoApproval(['HIGH']);
    const opening = openIncident(opened(), () => cleanRoomPlan('HIGH'), settings);
    return committed(
      stepSucceeded(committed(opening), succeeded('snapshot', 'evidence.snapshot-volumes'), settings),
      2,
    );
  };

  it('adds and dispatches a teardown for a clean room that started, and records its result after resolve', () => {
    // Prepare
    const aggregate = dispatchedCleanRoom();
    // Act
    const resolved = resolveRequested(aggregate, resolve, context());
    const after = stepSucceeded(
      committed(resolved, 3),
      succeeded('teardown:clean-room', 'evidence.clean-room-teardown'),
      context(),
    );
    // Assess
    expect(resolved.incident.status).toBe('resolved');
    expect(resolved.step('teardown:clean-room')).toMatchObject({
      action: 'evidence.clean-room-teardown',
      origin: 'coordinator',
      status: 'dispatched',
      params: { cleanRoomStepId: 'clean-room' },
    });
    expect(resolved.outbox.some((entry) => entry.queue === 'forensics')).toBe(true);
    expect(after.step('teardown:clean-room')?.status).toBe('succeeded');
  });

  it('adds none for a clean room that never started', () => {
    // Prepare
    const opening = openIncident(opened(), () => cleanRoomPlan('HIGH'), context());
    const held = stepSucceeded(
      committed(opening),
      succeeded('snapshot', 'evidence.snapshot-volumes'),
      context(),
    );
    // Act
    const resolved = resolveRequested(committed(held, 2), resolve, context());
    // Assess
    expect(resolved.step('clean-room')?.status).toBe('skipped');
    expect(resolved.step('teardown:clean-room')).toBeUndefined();
  });
});

describe('loadConfig (IR_AUTO_APPROVE_CLEAN_ROOM)', () => {
  const dev = {
    IR_ENV: 'development',
    IR_AUTH_MODE: 'static-token',
    IR_API_TOKEN: 'a-token-of-sixteen-chars',
  };

  it('reads a list of bands, empty by default, and names the variable for an unknown band', () => {
    // Prepare
    const listed = { ...dev, IR_AUTO_APPROVE_CLEAN_ROOM: 'CRITICAL, HIGH' };
    // Act
    const config = loadConfig(listed);
    // Assess
    expect(config.IR_AUTO_APPROVE_CLEAN_ROOM).toEqual(['CRITICAL', 'HIGH']);
    expect(loadConfig(dev).IR_AUTO_APPROVE_CLEAN_ROOM).toEqual([]);
    expect(() => loadConfig({ ...dev, IR_AUTO_APPROVE_CLEAN_ROOM: 'SEVERE' })).toThrow(
      /IR_AUTO_APPROVE_CLEAN_ROOM/,
    );
  });
});
