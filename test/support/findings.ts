import {
  type CreatedInstance,
  type EmulatorClients,
  createInstance,
  createVpc,
  type FindingOptions,
  findingTypes,
  guardDutyEventBridgeFinding,
} from '@ir/testkit';

/** An instance created in the emulator, with the VPC it lives in. */
export interface TargetInstance extends CreatedInstance {
  readonly vpcId: string;
  readonly subnetIds: readonly string[];
}

/** Options of {@link createTargetInstance}. */
export interface TargetInstanceOptions {
  readonly eniCount?: number;
  /** Put it in an Auto Scaling group and a target group (TRAPS 4 and 5). */
  readonly scaled?: boolean;
  readonly tags?: Record<string, string>;
}

/** A VPC with two subnets and an instance in it, shaped like a production web server. */
export async function createTargetInstance(
  clients: EmulatorClients,
  options: TargetInstanceOptions = {},
): Promise<TargetInstance> {
  const vpc = await createVpc({ ec2: clients.ec2, subnets: 2 });
  const instance = await createInstance({
    ec2: clients.ec2,
    subnetIds: vpc.subnetIds,
    eniCount: options.eniCount ?? 1,
    volumes: [{ sizeGiB: 8 }],
    tags: { Name: 'e2e-target', ...options.tags },
    ...(options.scaled
      ? {
          autoScaling: { client: clients.autoScaling },
          targetGroup: { client: clients.elbv2 },
        }
      : {}),
  });
  return { ...instance, vpcId: vpc.vpcId, subnetIds: vpc.subnetIds };
}

/**
 * A GuardDuty finding about `instance` as EventBridge delivers it, naming its real ENIs and subnets
 * (so the planner's per-ENI and per-subnet steps act on resources that exist).
 */
export function instanceFinding(
  instance: TargetInstance,
  options: Omit<FindingOptions, 'resource'> & { accountId: string; region: string },
) {
  const now = new Date().toISOString();
  return guardDutyEventBridgeFinding({
    type: findingTypes.c2Dns,
    severity: 8,
    createdAt: now,
    updatedAt: now,
    ...options,
    resource: instanceResource(instance),
  });
}

/** `instance` as a finding names it: its real ENIs, VPC and first subnet. */
export function instanceResource(instance: TargetInstance) {
  return {
    kind: 'instance' as const,
    instanceId: instance.instanceId,
    enis: instance.networkInterfaceIds.map((networkInterfaceId) => ({
      networkInterfaceId,
      vpcId: instance.vpcId,
      subnetId: instance.subnetIds[0],
    })),
  };
}

/** Findings about `count` new instances (one each), and their ids, for a system's account. */
export async function findingsOnNewInstances(
  system: { readonly clients: EmulatorClients; readonly accountId: string; readonly region: string },
  count: number,
): Promise<{ findings: ReturnType<typeof instanceFinding>[]; ids: string[] }> {
  const instances = await Promise.all(
    Array.from({ length: count }, () => createTargetInstance(system.clients)),
  );
  const findings = instances.map((instance) =>
    instanceFinding(instance, { accountId: system.accountId, region: system.region }),
  );
  return { findings, ids: findings.map((finding) => String(finding.detail.id)) };
}
