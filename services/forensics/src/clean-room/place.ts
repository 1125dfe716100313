import type { ForensicsConfig } from '../config.js';
import type { LaunchSettings } from './analysis-instance.js';
import type { SnapshotPlace } from './snapshot-selection.js';

/**
 * Where the clean room runs: the forensics account when one is configured (its own copies of the
 * snapshots are there, and the suspect's account may be in the attacker's hands), else the incident's
 * target account. The region is the snapshots', which is the step's.
 */
export function cleanRoomPlace(
  config: Pick<ForensicsConfig, 'IR_FORENSICS_ACCOUNT_ID'>,
  target: { accountId: string; region: string },
): SnapshotPlace {
  const forensics = config.IR_FORENSICS_ACCOUNT_ID;
  return {
    accountId: forensics ?? target.accountId,
    region: target.region,
    // An incident in the forensics account itself has no forensics copies: its own snapshots are used.
    inForensicsAccount: forensics !== undefined && forensics !== target.accountId,
  };
}

/** The launch settings, or undefined when the clean room is not configured (the step is refused). */
export function launchSettingsOf(config: ForensicsConfig): LaunchSettings | undefined {
  if (!config.IR_FORENSICS_LAUNCH_TEMPLATE && !(config.IR_FORENSICS_AMI && config.IR_FORENSICS_SUBNET)) {
    return undefined;
  }
  return {
    imageId: config.IR_FORENSICS_AMI,
    subnetId: config.IR_FORENSICS_SUBNET,
    securityGroupId: config.IR_FORENSICS_SECURITY_GROUP,
    instanceProfile: config.IR_FORENSICS_INSTANCE_PROFILE,
    launchTemplate: config.IR_FORENSICS_LAUNCH_TEMPLATE,
    instanceType: config.IR_FORENSICS_INSTANCE_TYPE,
  };
}
