import { SERVICE_NAMES, type ServiceName } from '@ir/testkit';
import { sumOf } from '../support/prometheus.js';
import type { RunningSystem } from '../support/system.js';
import { peakRssMb } from './process-memory.js';

/** Each service's peak RSS in MiB, the largest over its replicas. */
export async function peakRssByService(system: RunningSystem): Promise<Record<ServiceName, number>> {
  return Object.fromEntries(
    await Promise.all(
      SERVICE_NAMES.map(
        async (name) => [name, Math.max(...(await Promise.all(system.pids(name).map(peakRssMb))))] as const,
      ),
    ),
  ) as Record<ServiceName, number>;
}

/** Every AWS call each service counted in `ir_aws_calls_total` (idle polls included). */
export async function awsCallsByService(system: RunningSystem): Promise<Record<ServiceName, number>> {
  return Object.fromEntries(
    await Promise.all(
      SERVICE_NAMES.map(
        async (name) => [name, sumOf(await system.metrics(name), 'ir_aws_calls_total')] as const,
      ),
    ),
  ) as Record<ServiceName, number>;
}
