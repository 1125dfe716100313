import { DescribeInstanceInformationCommand, type SSMClient } from '@aws-sdk/client-ssm';

/** Whether SSM can run commands on an instance, and why not when it cannot. */
export interface ManagedInstance {
  readonly managed: boolean;
  readonly pingStatus: string | null;
  readonly platformType: string | null;
  readonly agentVersion: string | null;
  /** A sentence for the incident when `managed` is false. */
  readonly reason: string | null;
}

/** Looks an instance up in SSM's inventory. A seam, because moto does not implement the call. */
export type ManagedInstanceLookup = (ssm: SSMClient, instanceId: string) => Promise<ManagedInstance>;

/**
 * `DescribeInstanceInformation` filtered to the instance: managed means registered, `Online`, and
 * Linux (the collection commands are shell). Anything else is a reason to skip, not to fail.
 */
export const describeManagedInstance: ManagedInstanceLookup = async (ssm, instanceId) => {
  const output = await ssm.send(
    new DescribeInstanceInformationCommand({ Filters: [{ Key: 'InstanceIds', Values: [instanceId] }] }),
  );
  return managedInstanceFrom(instanceId, output.InstanceInformationList?.[0]);
};

/** Interprets one `InstanceInformation` entry (or its absence). Pure, for unit tests on recorded responses. */
export function managedInstanceFrom(
  instanceId: string,
  info: { PingStatus?: string; PlatformType?: string; AgentVersion?: string } | undefined,
): ManagedInstance {
  const base = {
    pingStatus: info?.PingStatus ?? null,
    platformType: info?.PlatformType ?? null,
    agentVersion: info?.AgentVersion ?? null,
  };
  if (!info) {
    return {
      ...base,
      managed: false,
      reason: `instance ${instanceId} is not managed by SSM (no agent registered), so volatile data cannot be collected`,
    };
  }
  if (info.PingStatus !== 'Online') {
    return {
      ...base,
      managed: false,
      reason: `the SSM agent on ${instanceId} is ${info.PingStatus ?? 'unknown'}, not Online, so volatile data cannot be collected`,
    };
  }
  if (info.PlatformType && info.PlatformType !== 'Linux') {
    return {
      ...base,
      managed: false,
      reason: `instance ${instanceId} runs ${info.PlatformType}; volatile collection supports Linux only`,
    };
  }
  return { ...base, managed: true, reason: null };
}

/**
 * The lookup used when `IR_SSM_INVENTORY=unavailable`: every instance is reported unmanaged with a
 * reason that says why, so the incident records that volatile data was not collected and goes on.
 */
export const inventoryUnavailable: ManagedInstanceLookup = async (_ssm, instanceId) => ({
  managed: false,
  pingStatus: null,
  platformType: null,
  agentVersion: null,
  reason: `SSM inventory is switched off (IR_SSM_INVENTORY=unavailable, for emulators without DescribeInstanceInformation), so volatile data was not collected from ${instanceId}`,
});
