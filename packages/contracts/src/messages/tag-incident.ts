import { z } from 'zod';
import { SeverityBand } from '../severity.js';
import { RdsTarget } from './rds-target.js';
import { stepCommand } from './step-command.js';

const Name = z.string().min(1);

/**
 * The resource `contain.tag-incident` tags, by kind. An access key is tagged through its user (IAM
 * keys carry no tags); an RDS database is its cluster when it has one (as the RDS steps act on);
 * `other` is a resource the isolator cannot tag, named so the step can say so instead of succeeding.
 */
export const TaggableResource = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('ec2-instance'), instanceId: Name }),
  z.object({ kind: z.literal('iam-user'), userName: Name }),
  z.object({ kind: z.literal('iam-role'), roleName: Name }),
  z.object({ kind: z.literal('iam-access-key'), userName: Name, accessKeyId: Name.optional() }),
  z.object({ kind: z.literal('s3-bucket'), bucketName: Name }),
  z.object({ kind: z.literal('lambda-function'), functionName: Name }),
  z.object({
    kind: z.literal('rds-database'),
    dbInstanceIdentifier: Name.optional(),
    dbClusterIdentifier: Name.optional(),
  }),
  z.object({ kind: z.literal('ecs-task'), taskArn: z.string().startsWith('arn:'), cluster: Name.optional() }),
  z.object({ kind: z.literal('eks-cluster'), clusterName: Name }),
  z.object({ kind: z.literal('other'), resourceType: Name, id: Name }),
]);
/** @see TaggableResource */
export type TaggableResource = z.infer<typeof TaggableResource>;

/**
 * Tag a finding's resource with the incident and its severity band (`ir:incident-id`, `ir:severity`),
 * then read the tags back: the severity matrix's "tag" for LOW and MEDIUM. Not a containment (see
 * `markingActions`). Reversible: the rollback puts back exactly the values those two keys had before
 * (removes them when they were absent), and never touches another tag.
 */
export const ContainTagIncident = stepCommand(
  'contain.tag-incident',
  z
    .object({ resource: TaggableResource, severityBand: SeverityBand })
    .refine(({ resource }) => resource.kind !== 'rds-database' || RdsTarget.safeParse(resource).success, {
      message: 'an rds-database needs dbInstanceIdentifier or dbClusterIdentifier',
      path: ['resource'],
    }),
);
/** @see ContainTagIncident */
export type ContainTagIncident = z.infer<typeof ContainTagIncident>;
