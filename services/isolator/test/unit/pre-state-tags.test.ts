import { describe, expect, it } from 'vitest';
import type { InstancePreState } from '../../src/actions/ec2/instance-pre-state.js';
import { preStateFromTags, preStateTags } from '../../src/actions/ec2/pre-state-tags.js';

const preState: InstancePreState = {
  instanceId: 'i-0abc',
  vpcId: 'vpc-1',
  networkInterfaces: Array.from({ length: 4 }, (_, i) => ({
    networkInterfaceId: `eni-${i}`,
    groupIds: ['sg-aaaaaaaaaaaaaaaaa', 'sg-bbbbbbbbbbbbbbbbb'],
  })),
  attributes: { disableApiTermination: false, disableApiStop: false, shutdownBehavior: 'terminate' },
  volumes: [{ deviceName: '/dev/xvda', volumeId: 'vol-1', deleteOnTermination: true }],
  autoScalingGroupName: 'web',
  targets: [
    {
      targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/web/0123456789abcdef',
      id: 'i-0abc',
      port: 80,
    },
  ],
  tags: { 'ir:incident-id': null },
};

describe('preStateTags / preStateFromTags', () => {
  it('splits the pre-state into tag values of at most 256 characters and reads it back', () => {
    // Act
    const tags = preStateTags(preState) ?? {};
    // Assess
    expect(Object.keys(tags).length).toBeGreaterThan(1);
    expect(Object.values(tags).every((value) => value.length <= 256)).toBe(true);
    expect(preStateFromTags({ ...tags, Name: 'web-1' })).toEqual(preState);
    expect(preStateFromTags({ Name: 'web-1' })).toBeUndefined();
  });

  it('rejects tags that do not parse, naming what to do', () => {
    // Act / Assess
    expect(() => preStateFromTags({ 'ir:pre-state-0': '{"instanceId":' })).toThrow(/ir:pre-state/);
  });
});
