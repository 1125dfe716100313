import type { EC2Client, RunInstancesCommandInput } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { type LaunchSettings, launchAnalysisInstance } from '../../src/clean-room/analysis-instance.js';
import { cleanRoomDryRun } from '../../src/clean-room/dry-run.js';
import { cleanRoomTags } from '../../src/clean-room/tags.js';

/*
 * Why a recording client and not the emulator: EC2 keeps no trace of a dry run, so what the dry run
 * asked cannot be read back; the request itself is what IAM authorises, and what is asserted here.
 */
function recordingEc2() {
  const requests: RunInstancesCommandInput[] = [];
  const ec2 = {
    async send(command: { input: RunInstancesCommandInput }) {
      requests.push(command.input);
      if (command.input.DryRun) {
        throw Object.assign(new Error('Request would have succeeded, but DryRun flag is set.'), {
          name: 'DryRunOperation',
        });
      }
      return { Instances: [{ InstanceId: 'i-0analysis0000000' }] };
    },
  };
  return { ec2: ec2 as unknown as EC2Client, requests };
}

const launch: LaunchSettings = {
  imageId: 'ami-0123456789abcdef0',
  subnetId: 'subnet-0forensics00000',
  securityGroupId: 'sg-0analysis00000000',
  instanceProfile: 'ir-clean-room',
  launchTemplate: 'lt-0cleanroom0000000',
  instanceType: 'm5.large',
};

describe('cleanRoomDryRun', () => {
  it('asks EC2 about the launch request itself: template, profile, interface and tags, without the client token', async () => {
    // Prepare
    const tags = cleanRoomTags('inc-1', 'clean-room', 'i-0suspect00000000');
    const dry = recordingEc2();
    const real = recordingEc2();
    // Act
    const outcome = await cleanRoomDryRun(dry.ec2, 'i-0suspect00000000', {
      instance: undefined,
      snapshots: 'no evidence snapshots yet',
      launch,
      tags,
      knownBad: new Map(),
      timelineDays: 7,
      place: { accountId: '111111111111', region: 'us-east-1', inForensicsAccount: false },
    });
    await launchAnalysisInstance(real.ec2, launch, tags, 'inc-1/clean-room');
    // Assess
    const [dryRequest] = dry.requests;
    const [realRequest] = real.requests;
    const { ClientToken, ...launched } = realRequest ?? {};
    expect(ClientToken).toMatch(/^[0-9a-f]{64}$/);
    expect(dryRequest).toEqual({ ...launched, DryRun: true });
    expect(dryRequest).toMatchObject({
      LaunchTemplate: { LaunchTemplateId: 'lt-0cleanroom0000000' },
      IamInstanceProfile: { Name: 'ir-clean-room' },
      TagSpecifications: [
        { ResourceType: 'instance', Tags: tags },
        { ResourceType: 'volume', Tags: tags },
      ],
    });
    expect(outcome.kind === 'succeeded' && outcome.result).toMatchObject({
      wouldLaunch: { launchAllowed: true },
    });
  });
});
