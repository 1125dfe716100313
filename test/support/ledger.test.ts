/**
 * The fault runs' ledger on constructed inputs: each finding tracked by id to one outcome, and
 * double containment counted from the calls that reached AWS.
 */
import { describe, expect, it } from 'vitest';
import type { IncidentView } from './coordinator-api.js';
import type { RecordedCall } from './fault-proxy.js';
import {
  appliedContainment,
  findingDecisionOf,
  findingLedger,
  notOneIncidentEach,
  sentFinding,
} from './ledger.js';

const body = (id: string) => JSON.stringify({ 'detail-type': 'GuardDuty Finding', detail: { id } });
const view = (incidentId: string, findingIds: string[]) =>
  ({
    incident: { incidentId, findings: findingIds.map((id) => ({ id })) },
    steps: [],
  }) as unknown as IncidentView;
const call = (operation: string, parameters: string, status = 200): RecordedCall => ({
  at: 0,
  service: operation === 'DetachInstances' ? 'autoscaling' : 'ec2',
  operation,
  method: 'POST',
  path: '/',
  headers: {},
  body: Buffer.from(`Action=${operation}&${parameters}&Version=2016-11-15`),
  durationMs: 1,
  status,
  returnedMessages: false,
  answer: '',
});

describe('findingLedger', () => {
  it('gives each finding one outcome: incident, coalesced, suppressed, skipped or dead-lettered', () => {
    const sent = ['f1', 'f2', 'f3', 'f4'].map((id) => sentFinding(body(id)));
    const garbage = sentFinding('{"detail": ');
    const ledger = findingLedger([...sent, garbage], {
      decisions: [
        { decision: 'incident_opened', findingId: 'f1', incidentId: 'inc-1' },
        { decision: 'finding_coalesced', findingId: 'f2', incidentId: 'inc-1' },
        { decision: 'finding_suppressed', findingId: 'f3', rule: 'scanner' },
        { decision: 'sample_finding_skipped', findingId: 'f4' },
      ],
      deadLetters: [{ body: '{"detail": ', reason: 'unparseable', detail: 'Unexpected end' }],
      incidents: [view('inc-1', ['f1', 'f2'])],
    });
    expect(ledger.outcomes).toEqual([
      { kind: 'incident', incidentId: 'inc-1' },
      { kind: 'coalesced', incidentId: 'inc-1' },
      { kind: 'suppressed', rule: 'scanner' },
      { kind: 'skipped' },
      { kind: 'dead-lettered', reason: 'unparseable' },
    ]);
    expect(ledger.lost).toEqual([]);
    expect(ledger.contradictions).toEqual([]);
    expect(ledger.counts).toMatchObject({ incident: 1, coalesced: 1, 'dead-lettered': 1, lost: 0 });
  });

  it('reports a finding nothing accounts for as lost, and one sent twice needs two decisions', () => {
    const ledger = findingLedger(
      [sentFinding(body('f1')), sentFinding(body('f1')), sentFinding(body('f9'))],
      {
        decisions: [
          { decision: 'finding_duplicate_ignored', findingId: 'f1', incidentId: 'inc-1' },
          { decision: 'incident_opened', findingId: 'f1', incidentId: 'inc-1' },
        ],
        deadLetters: [],
        incidents: [view('inc-1', ['f1'])],
      },
    );
    // The delivery's own decision is taken first; the duplicate accounts for the second copy.
    expect(ledger.outcomes.slice(0, 2)).toEqual([
      { kind: 'incident', incidentId: 'inc-1' },
      { kind: 'coalesced', incidentId: 'inc-1' },
    ]);
    expect(ledger.lost).toEqual(['f9']);
    expect(notOneIncidentEach(ledger, [view('inc-1', ['f1'])])).toHaveLength(2);
  });

  it('flags an incident detection opened that the coordinator does not hold with that finding', () => {
    const ledger = findingLedger([sentFinding(body('f1'))], {
      decisions: [{ decision: 'incident_opened', findingId: 'f1', incidentId: 'inc-2' }],
      deadLetters: [],
      incidents: [view('inc-1', ['f1'])],
    });
    expect(ledger.contradictions).toHaveLength(1);
    expect(notOneIncidentEach(ledger, [view('inc-1', ['f1'])])).toEqual(['finding #0: inc-2 not held']);
  });

  it('reads decisions from detection log lines and ignores other lines', () => {
    expect(
      findingDecisionOf('{"level":30,"msg":"incident_opened","findingId":"f1","incidentId":"inc-1"}'),
    ).toEqual({ decision: 'incident_opened', findingId: 'f1', incidentId: 'inc-1' });
    expect(
      findingDecisionOf('{"level":30,"msg":"incident_message_published","findingId":"f1"}'),
    ).toBeUndefined();
    expect(findingDecisionOf('not json "findingId"')).toBeUndefined();
  });
});

describe('appliedContainment', () => {
  it('counts a containing call AWS applied twice with the same parameters, not retries it never saw', () => {
    const calls = [
      call('ModifyNetworkInterfaceAttribute', 'NetworkInterfaceId=eni-1&SecurityGroupId.1=sg-iso'),
      call('ModifyNetworkInterfaceAttribute', 'NetworkInterfaceId=eni-2&SecurityGroupId.1=sg-iso'),
      call('ModifyNetworkInterfaceAttribute', 'SecurityGroupId.1=sg-iso&NetworkInterfaceId=eni-1'),
      call('DetachInstances', 'InstanceIds.member.1=i-1', 503),
      call('DetachInstances', 'InstanceIds.member.1=i-1'),
      call('DescribeInstances', 'InstanceId.1=i-1'),
      call('DescribeInstances', 'InstanceId.1=i-1'),
    ];
    expect(appliedContainment(calls)).toEqual({
      applied: 4,
      twice: ['ec2 ModifyNetworkInterfaceAttribute NetworkInterfaceId=eni-1&SecurityGroupId.1=sg-iso ×2'],
    });
  });
});
