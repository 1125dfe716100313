import { type Ec2InstanceResource, parseFindings, resourceKey } from '@ir/contracts';
import { describe, expect, it } from 'vitest';
import { apiShapeOf } from '../fixtures/api-shape.js';
import { sourcedFixture } from '../fixtures/load-fixture.js';

const name = 'guardduty-eventbridge-attack-sequence-eks.json';

describe('GuardDuty attack sequences', () => {
  it.each([
    ['EventBridge', () => sourcedFixture(name)],
    ['GetFindings API', () => apiShapeOf(sourcedFixture(name))],
  ])('keeps every resource of the sequence as a resource of the finding (%s)', (_shape, input) => {
    // Act
    const [finding] = parseFindings(input());
    // Assess
    expect(finding?.resources.map(resourceKey)).toEqual([
      'eks-cluster:payments-prod',
      'eks-workload:payments-prod/payments/pods/miner-7d9f8',
      'container:containerd://7f3e2d1c0b9a',
      'ec2-instance:i-0node0000000000001',
      'iam-access-key:role/deployer',
      'other:AUTOSCALING_AUTO_SCALING_GROUP:arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:0f1e2d3c:autoScalingGroupName/eks-nodes',
    ]);
    const node = finding?.resources.find((r) => r.kind === 'ec2-instance') as Ec2InstanceResource;
    expect(node).toMatchObject({
      instanceId: 'i-0node0000000000001',
      iamInstanceProfileArn: 'arn:aws:iam::123456789012:instance-profile/eks-nodes',
      networkInterfaces: [
        {
          networkInterfaceId: 'eni-0node0000000000001',
          subnetId: 'subnet-0aaa1111bbbb2222c',
          securityGroups: [{ groupId: 'sg-0node000000000001', groupName: 'eks-nodes' }],
          privateIpv4: ['10.0.3.17'],
        },
      ],
    });
    expect(finding?.resources[4]).toEqual({
      kind: 'iam-access-key',
      accessKeyId: 'ASIAEXAMPLEKEY000002',
      principalId: 'AROAEXAMPLEROLE:deployer',
      roleName: 'deployer',
      userType: 'AssumedRole',
    });
  });

  it('links each sequence resource id (which signals refer to) to the key of its resource', () => {
    // Act
    const [finding] = parseFindings(sourcedFixture(name));
    // Assess
    const keyOf = new Map(finding?.sequence?.resources.map((r) => [r.uid, r.key]));
    expect(keyOf.get('eni-0node0000000000001')).toBe('ec2-instance:i-0node0000000000001');
    expect(keyOf.get('9b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0')).toBe(
      'eks-workload:payments-prod/payments/pods/miner-7d9f8',
    );
    const keys = new Set(finding?.resources.map(resourceKey));
    for (const signal of finding?.sequence?.signals ?? [])
      for (const uid of signal.resourceUids) expect(keys.has(keyOf.get(uid) ?? '')).toBe(true);
  });

  it('keeps the signals, actors, endpoints and indicators', () => {
    // Act
    const [finding] = parseFindings(sourcedFixture(name));
    // Assess
    const sequence = finding?.sequence;
    expect(sequence?.uid).toBe('seq-5f0e8a1c2b3d4e5f');
    expect(sequence?.signals.map((s) => [s.type, s.name])).toEqual([
      ['FINDING', 'PrivilegeEscalation:Kubernetes/PrivilegedContainer'],
      ['FINDING', 'CryptoCurrency:Runtime/BitcoinTool.B!DNS'],
    ]);
    expect(sequence?.signals[1]).toMatchObject({ count: 4, endpointIds: ['endpoint-1', 'endpoint-2'] });
    expect(sequence?.actors).toEqual([
      expect.objectContaining({ id: 'actor-1', userName: 'deployer', accessKeyId: 'ASIAEXAMPLEKEY000002' }),
      expect.objectContaining({ id: 'actor-2', processName: 'xmrig', processPath: '/tmp/xmrig' }),
    ]);
    expect(sequence?.endpoints).toEqual([
      {
        id: 'endpoint-1',
        ip: '203.0.113.50',
        port: 3333,
        country: 'Exampleland',
        asnName: 'Example Mining Pool',
      },
      { id: 'endpoint-2', domain: 'pool.example-mining.net' },
    ]);
    expect(sequence?.indicators.map((i) => i.key)).toEqual([
      'ATTACK_TACTIC',
      'CRYPTOMINING_DOMAIN',
      'MALICIOUS_PROCESS',
    ]);
  });

  it('is accepted without a top-level resource when the sequence names resources', () => {
    // Prepare
    const event = structuredClone(sourcedFixture(name)) as { detail: Record<string, unknown> };
    delete event.detail.resource;
    // Act
    const [finding] = parseFindings(event);
    // Assess
    expect(finding?.resources[0]).toMatchObject({ kind: 'eks-cluster', clusterName: 'payments-prod' });
    expect(finding?.resources).toHaveLength(6);
  });

  it('caps indicator values so a sequence with hundreds of them stays a small message', () => {
    // Prepare
    const event = structuredClone(sourcedFixture(name)) as {
      detail: { service: { detection: { sequence: { sequenceIndicators: unknown[] } } } };
    };
    const values = Array.from({ length: 300 }, (_, i) => `198.51.100.${i % 250}`);
    event.detail.service.detection.sequence.sequenceIndicators = [{ key: 'MALICIOUS_IP', values }];
    // Act
    const [finding] = parseFindings(event);
    // Assess
    expect(finding?.sequence?.indicators[0]?.values).toHaveLength(20);
  });
});
