import { parseFindings, parseNativeFinding } from '@ir/contracts';
import { describe, expect, it } from 'vitest';
import { fixture } from '../fixtures/load-fixture.js';

describe('parseNativeFinding', () => {
  it('parses a hand-written finding, filling defaults and the band representative score', () => {
    // Prepare
    const input = fixture('native-honeypot.json');
    // Act
    const [finding] = parseFindings(input);
    // Assess
    expect(finding).toMatchObject({
      source: 'native',
      severity: { score: 8, band: 'HIGH', label: 'HIGH' },
      createdAt: '2024-07-01T10:15:00.000Z',
      updatedAt: '2024-07-01T10:15:00.000Z',
      count: 1,
      sample: false,
      network: { remoteIps: [{ ip: '192.0.2.44', port: 50122 }], localPorts: [22], direction: 'inbound' },
    });
    expect(finding?.resources[0]).toEqual({
      kind: 'ec2-instance',
      instanceId: 'i-0decoy00000000001',
      tags: {},
      networkInterfaces: [
        {
          networkInterfaceId: 'eni-0decoy0000000001',
          subnetId: 'subnet-0aaa1111bbbb2222c',
          securityGroups: [],
          privateIpv4: ['10.0.9.9'],
          publicIpv4: [],
          ipv6: [],
        },
      ],
    });
  });

  it('takes a numeric severity and the injected clock when createdAt is left out', () => {
    // Prepare
    const input: Record<string, unknown> = { ...fixture('native-honeypot.json'), severity: 6.9 };
    delete input.createdAt;
    // Act
    const [finding] = parseNativeFinding(input, { now: () => new Date('2024-08-01T00:00:00Z') });
    // Assess
    expect(finding?.severity).toEqual({ score: 6.9, band: 'MEDIUM' });
    expect(finding?.createdAt).toBe('2024-08-01T00:00:00.000Z');
  });

  it('rejects empty resources as no-resource and an unknown resource kind as schema', () => {
    // Prepare
    const empty = { ...fixture('native-honeypot.json'), resources: [] };
    const unknownKind = { ...fixture('native-honeypot.json'), resources: [{ kind: 'lambda', id: 'f' }] };
    // Act / Assess
    expect(() => parseNativeFinding(empty)).toThrow(
      expect.objectContaining({
        reason: 'no-resource',
        issues: [expect.objectContaining({ path: 'resources' })],
      }),
    );
    expect(() => parseNativeFinding(unknownKind)).toThrow(
      expect.objectContaining({
        reason: 'schema',
        issues: [expect.objectContaining({ path: 'resources[0].kind' })],
      }),
    );
  });
});
