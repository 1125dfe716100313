import {
  findingTypes,
  guardDutyApiFinding,
  guardDutyEventBridgeFinding,
  securityHubImportedEvent,
} from '@ir/testkit';
import type { DemoAccount } from './demo-account.js';

/**
 * The IP the demo's port probe comes from (TEST-NET-3, RFC 5737: never a real host). Its incident
 * holds `contain.block-ip` of this address in the network ACL of bastion-1's subnet until two
 * approvers agree (in the console, or with `irctl approve`).
 */
export const DEMO_PROBE_IP = '203.0.113.77';

/**
 * A finding detection cannot parse (no account, a numeric id): it is dead-lettered at once with the
 * reason `schema`, and is still malformed if an admin redrives it.
 */
export const DEMO_MALFORMED_FINDING =
  '{"detail-type":"GuardDuty Finding","source":"aws.guardduty","detail":{"id":42}}';

/** A demo finding as it would arrive on the findings queue, and what the demo expects of it. */
export interface DemoFinding {
  readonly name: string;
  readonly body: string;
  /** Whether detection should open an incident for it (samples and malformed input: no). */
  readonly opensIncident: boolean;
}

/**
 * The findings `pnpm demo` sends, exactly as EventBridge (or a detector) would deliver them, naming
 * the resources seeded by {@link seedDemoAccount}.
 */
export function demoFindings(account: DemoAccount, accountId: string, region: string): DemoFinding[] {
  const now = new Date().toISOString();
  const common = { accountId, region, createdAt: now, updatedAt: now };
  return [
    {
      name: 'EC2 compromise (C&C traffic) on web-1: 2 ENIs, Auto Scaling group, target group',
      opensIncident: true,
      body: JSON.stringify(
        guardDutyEventBridgeFinding({
          ...common,
          type: findingTypes.c2Dns,
          severity: 8,
          resource: {
            kind: 'instance',
            instanceId: account.webInstance.instanceId,
            enis: account.webInstance.networkInterfaceIds.map((networkInterfaceId, index) => ({
              networkInterfaceId,
              vpcId: account.vpcId,
              subnetId: account.subnetIds[index % account.subnetIds.length],
            })),
          },
        }),
      ),
    },
    {
      name: 'Instance credentials of batch-1 used outside AWS (GuardDuty API shape)',
      opensIncident: true,
      body: JSON.stringify(
        guardDutyApiFinding({
          ...common,
          type: findingTypes.credentialExfiltration,
          severity: 8,
          resource: { kind: 'access-key', userType: 'AssumedRole', userName: account.batchRole.roleName },
        }),
      ),
    },
    {
      name: 'S3 bucket made public (Security Hub imported event)',
      opensIncident: true,
      body: JSON.stringify(
        securityHubImportedEvent({
          ...common,
          findings: 1,
          type: findingTypes.s3AnonymousAccess,
          severity: 7,
          resource: { kind: 's3', buckets: [account.publicBucket.bucketName] },
        }),
      ),
    },
    {
      name: `Port probe of bastion-1 from ${DEMO_PROBE_IP}: a network ACL block held for two approvers`,
      opensIncident: true,
      body: JSON.stringify(
        guardDutyEventBridgeFinding({
          ...common,
          type: findingTypes.portProbe,
          severity: 8,
          remoteIp: DEMO_PROBE_IP,
          resource: {
            kind: 'instance',
            instanceId: account.bastionInstance.instanceId,
            enis: account.bastionInstance.networkInterfaceIds.map((networkInterfaceId) => ({
              networkInterfaceId,
              vpcId: account.vpcId,
              subnetId: account.bastionInstance.subnetId,
            })),
          },
        }),
      ),
    },
    {
      name: 'GuardDuty sample finding (skipped unless IR_ACCEPT_SAMPLE_FINDINGS=true)',
      opensIncident: false,
      body: JSON.stringify(guardDutyEventBridgeFinding({ ...common, sample: true })),
    },
    {
      name: 'Malformed finding (ends in ir-findings-dlq with its reason)',
      opensIncident: false,
      body: DEMO_MALFORMED_FINDING,
    },
  ];
}
