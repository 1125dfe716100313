import { z } from 'zod';

/**
 * The database an RDS step acts on: a DB instance, or an Aurora / Multi-AZ DB cluster. When both are
 * named (a GuardDuty finding about a cluster member names both), the step acts on the cluster: an
 * Aurora member's security groups and snapshots belong to its cluster, and RDS refuses them on the
 * instance.
 */
export const RdsTarget = z
  .object({
    dbInstanceIdentifier: z.string().min(1).optional(),
    dbClusterIdentifier: z.string().min(1).optional(),
  })
  .refine((params) => params.dbInstanceIdentifier !== undefined || params.dbClusterIdentifier !== undefined, {
    message: 'needs dbInstanceIdentifier or dbClusterIdentifier',
    path: ['dbInstanceIdentifier'],
  });
/** @see RdsTarget */
export type RdsTarget = z.infer<typeof RdsTarget>;
