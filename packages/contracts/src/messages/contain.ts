import { z } from 'zod';
import { RdsTarget } from './rds-target.js';
import { stepCommand } from './step-command.js';
import { ContainTagIncident } from './tag-incident.js';

const UserName = z.string().min(1);

/** Isolate an instance: every ENI to the isolation group, ASG detach, protections (TRAPS 1–7). */
export const ContainEc2Instance = stepCommand(
  'contain.ec2-instance',
  z.object({ instanceId: z.string().min(1) }),
);
/** @see ContainEc2Instance */
export type ContainEc2Instance = z.infer<typeof ContainEc2Instance>;

/** Contain an IAM user: deny-all policy, keys inactive (never deleted), tag (TRAPS 8). */
export const ContainIamUser = stepCommand('contain.iam-user', z.object({ userName: UserName }));
/** @see ContainIamUser */
export type ContainIamUser = z.infer<typeof ContainIamUser>;

/** Deactivate exactly one leaked key, not all of the user's keys. */
export const ContainAccessKey = stepCommand(
  'contain.access-key',
  z.object({ userName: UserName, accessKeyId: z.string().min(1) }),
);
/** @see ContainAccessKey */
export type ContainAccessKey = z.infer<typeof ContainAccessKey>;

/** Revoke a role's sessions issued before now (`aws:TokenIssueTime` deny, TRAPS 7). */
export const ContainRoleSessions = stepCommand(
  'contain.role-sessions',
  z.object({ roleName: z.string().min(1) }),
);
/** @see ContainRoleSessions */
export type ContainRoleSessions = z.infer<typeof ContainRoleSessions>;

/** Lock a bucket down reversibly; `allowPrincipalArns` keep access (e.g. the forensics role). */
export const ContainS3Bucket = stepCommand(
  'contain.s3-bucket',
  z.object({ bucketName: z.string().min(1), allowPrincipalArns: z.array(z.string().min(1)).optional() }),
);
/** @see ContainS3Bucket */
export type ContainS3Bucket = z.infer<typeof ContainS3Bucket>;

/** Deny a CIDR in a subnet's NACL (named by subnet or NACL id); the stronger, approval-gated option. */
export const ContainBlockIp = stepCommand(
  'contain.block-ip',
  z
    .object({
      subnetId: z.string().min(1).optional(),
      networkAclId: z.string().min(1).optional(),
      cidr: z.union([z.cidrv4(), z.cidrv6()]),
    })
    .refine((params) => params.subnetId !== undefined || params.networkAclId !== undefined, {
      message: 'needs subnetId or networkAclId',
      path: ['subnetId'],
    }),
);
/** @see ContainBlockIp */
export type ContainBlockIp = z.infer<typeof ContainBlockIp>;

/** Remove a user's console password. Irreversible, so it has no rollback and needs approval. */
export const ContainRemoveLoginProfile = stepCommand(
  'contain.remove-login-profile',
  z.object({ userName: UserName }),
);
/** @see ContainRemoveLoginProfile */
export type ContainRemoveLoginProfile = z.infer<typeof ContainRemoveLoginProfile>;

/**
 * Who stopped CloudTrail logging, as the finding tells it (GuardDuty's access key details and API
 * call). Carried into the step's result so the incident names the actor next to the fix.
 */
export const TrailActor = z.object({
  userName: z.string().min(1).optional(),
  principalId: z.string().min(1).optional(),
  accessKeyId: z.string().min(1).optional(),
  userType: z.string().min(1).optional(),
  /** The API the finding saw (`StopLogging`, `DeleteTrail`, `UpdateTrail`). */
  api: z.string().min(1).optional(),
  sourceIp: z.string().min(1).optional(),
});
/** @see TrailActor */
export type TrailActor = z.infer<typeof TrailActor>;

/**
 * Start CloudTrail logging again. `trail` is a name or ARN; without it, every trail visible in the
 * region whose status is not logging. Reversible: the rollback stops only what this started.
 */
export const ContainCloudTrailLogging = stepCommand(
  'contain.cloudtrail-logging',
  z.object({ trail: z.string().min(1).optional(), stoppedBy: TrailActor.optional() }),
);
/** @see ContainCloudTrailLogging */
export type ContainCloudTrailLogging = z.infer<typeof ContainCloudTrailLogging>;

/**
 * Revoke exactly the ingress rules of a security group that open an administrative port to the
 * world (0.0.0.0/0, ::/0). `ports` adds to the isolator's configured list (`IR_ADMIN_PORTS`).
 */
export const ContainSecurityGroupIngress = stepCommand(
  'contain.security-group-ingress',
  z.object({
    groupId: z.string().regex(/^sg-[0-9a-f]+$/, 'must be a security group id (sg-…)'),
    ports: z.array(z.number().int().min(0).max(65535)).optional(),
  }),
);
/** @see ContainSecurityGroupIngress */
export type ContainSecurityGroupIngress = z.infer<typeof ContainSecurityGroupIngress>;

/**
 * Cut an instance off its instance metadata service (IMDS endpoint disabled, IMDSv2 tokens required),
 * so a stolen-credential refresh or IMDS abuse (SSRF, DNS rebinding) stops. Reversible: the rollback
 * puts back the recorded `MetadataOptions`.
 */
export const ContainEc2Metadata = stepCommand(
  'contain.ec2-metadata',
  z.object({ instanceId: z.string().min(1) }),
);
/** @see ContainEc2Metadata */
export type ContainEc2Metadata = z.infer<typeof ContainEc2Metadata>;

/**
 * Move an RDS database (the instance, or the cluster when one is named) to the VPC's isolation
 * security group, the same no-rule group that `contain.ec2-instance` uses. Reversible: the rollback
 * puts back the recorded groups.
 */
export const ContainRdsDatabase = stepCommand('contain.rds-database', RdsTarget);
/** @see ContainRdsDatabase */
export type ContainRdsDatabase = z.infer<typeof ContainRdsDatabase>;

/**
 * Make an RDS database not publicly accessible (`PubliclyAccessible=false` on the instance, or on
 * every instance of the cluster). Reversible, but it changes the database's DNS answers for every
 * client, so playbooks ask for approval.
 */
export const ContainRdsPublicAccess = stepCommand('contain.rds-public-access', RdsTarget);
/** @see ContainRdsPublicAccess */
export type ContainRdsPublicAccess = z.infer<typeof ContainRdsPublicAccess>;

const S3ObjectParams = z.object({
  bucketName: z.string().min(1),
  key: z.string().min(1),
  /** The version GuardDuty scanned; without it, the current version (or `null` in an unversioned bucket). */
  versionId: z.string().min(1).optional(),
});

/**
 * Quarantine one S3 object (a malware finding): tag it, and deny reads of exactly that key with a
 * bucket-policy statement added beside the existing ones. Reversible: the rollback removes only that
 * statement and our tag. `allowPrincipalArns` keep read access (e.g. the forensics role);
 * `denyReads: false` only tags (the severity matrix's "tag" for MEDIUM and LOW findings).
 */
export const ContainS3Object = stepCommand(
  'contain.s3-object',
  S3ObjectParams.extend({
    allowPrincipalArns: z.array(z.string().min(1)).optional(),
    denyReads: z.boolean().optional(),
  }),
);
/** @see ContainS3Object */
export type ContainS3Object = z.infer<typeof ContainS3Object>;

/**
 * Delete one version of a malicious object. Irreversible (a deleted version cannot be restored), so it
 * needs approval; refused unless the evidence copy of that version is in the evidence bucket.
 */
export const ContainS3ObjectDelete = stepCommand('contain.s3-object-delete', S3ObjectParams);
/** @see ContainS3ObjectDelete */
export type ContainS3ObjectDelete = z.infer<typeof ContainS3ObjectDelete>;

/**
 * Stop a Lambda function from running: reserved concurrency 0 (no invocation starts) and every
 * event-source mapping of the function disabled. Reversible: the rollback restores the recorded
 * reserved concurrency (or removes it when there was none) and re-enables exactly the mappings that
 * were enabled. The execution role's sessions are revoked by `contain.role-sessions`, its own step.
 */
export const ContainLambdaFunction = stepCommand(
  'contain.lambda-function',
  z.object({ functionName: z.string().min(1) }),
);
/** @see ContainLambdaFunction */
export type ContainLambdaFunction = z.infer<typeof ContainLambdaFunction>;

const EcsTaskParams = z.object({
  /** The task's ARN; the long format (`task/<cluster>/<id>`) names its cluster. */
  taskArn: z.string().startsWith('arn:'),
  /** The cluster's name or ARN; needed only for a task ARN in the old format (`task/<id>`). */
  cluster: z.string().min(1).optional(),
});

/**
 * Contain an ECS task: tag it, move each of its ENIs (`awsvpc`) through the conversion group to the
 * VPC's isolation group (the groups `contain.ec2-instance` uses), and revoke the older sessions of its
 * task role (as `contain.role-sessions`). `isolate: false` only tags the task (the severity matrix's
 * "tag" for MEDIUM). Reversible: the rollback puts back each ENI's recorded groups, removes the
 * revocation and the tag.
 */
export const ContainEcsTask = stepCommand(
  'contain.ecs-task',
  EcsTaskParams.extend({ isolate: z.boolean().optional() }),
);
/** @see ContainEcsTask */
export type ContainEcsTask = z.infer<typeof ContainEcsTask>;

/**
 * Stop an ECS task. Irreversible (a stopped task cannot be started again; its service starts a new
 * one from the task definition, and its memory and writable layer are gone), so it needs approval.
 */
export const ContainEcsTaskStop = stepCommand('contain.ecs-task-stop', EcsTaskParams);
/** @see ContainEcsTaskStop */
export type ContainEcsTaskStop = z.infer<typeof ContainEcsTaskStop>;

/**
 * Restrict an EKS cluster's public API endpoint: to the isolator's `IR_EKS_ENDPOINT_ALLOWED_CIDRS`
 * when set, otherwise switched off (only when the private endpoint is on; with both off nobody could
 * reach the cluster, so that is refused for a person to decide). Reversible: the rollback puts back
 * the recorded public access and CIDRs. It cuts every client outside those CIDRs (CI, operators, the
 * console), so playbooks ask for approval.
 */
export const ContainEksEndpointAccess = stepCommand(
  'contain.eks-endpoint-access',
  z.object({ clusterName: z.string().min(1) }),
);
/** @see ContainEksEndpointAccess */
export type ContainEksEndpointAccess = z.infer<typeof ContainEksEndpointAccess>;

const EksPodParams = z.object({
  clusterName: z.string().min(1),
  namespace: z.string().min(1),
  podName: z.string().min(1),
});

/**
 * Cut a pod off the network inside its cluster: label it `ir-quarantine=<incident>` and create a
 * NetworkPolicy `ir-quarantine-<incident>` in its namespace that selects that label and allows no
 * traffic (ingress only from the isolator's forensics CIDR, when configured). Refuses `kube-system`
 * and host-network pods (no network policy applies to them: contain the node). Reversible: the
 * rollback deletes the policy and puts the pod's label back as it was.
 */
export const ContainEksPodNetwork = stepCommand('contain.eks-pod-network', EksPodParams);
/** @see ContainEksPodNetwork */
export type ContainEksPodNetwork = z.infer<typeof ContainEksPodNetwork>;

/**
 * Cordon the node a pod runs on (`spec.unschedulable`), so nothing new is scheduled there. Never
 * drains it: evicting the pods would destroy their evidence. Reversible: the rollback uncordons the
 * node unless it was cordoned before.
 */
export const ContainEksNodeCordon = stepCommand('contain.eks-node-cordon', EksPodParams);
/** @see ContainEksNodeCordon */
export type ContainEksNodeCordon = z.infer<typeof ContainEksNodeCordon>;

/**
 * Revoke the older sessions of the IAM role(s) a Kubernetes service account holds: its EKS Pod
 * Identity association's role and its IRSA role (`eks.amazonaws.com/role-arn`), each as
 * `contain.role-sessions` does. No role: succeeds saying so. Reversible: the rollback removes each
 * revocation.
 */
export const ContainEksWorkloadRole = stepCommand(
  'contain.eks-workload-role',
  z.object({
    clusterName: z.string().min(1),
    namespace: z.string().min(1),
    serviceAccountName: z.string().min(1),
  }),
);
/** @see ContainEksWorkloadRole */
export type ContainEksWorkloadRole = z.infer<typeof ContainEksWorkloadRole>;

/**
 * Every containment command the isolator performs, keyed by action, with whether it can be undone.
 * The single list of containments: `containActions`, the rollback commands (one per reversible entry)
 * and the message schemas are all derived from it, so a new containment is added here and nowhere
 * else in contracts. `contain.remove-login-profile` is not reversible: a deleted console password
 * cannot be restored (TRAPS 8), which is why that step needs approval.
 */
export const containCommands = {
  'contain.ec2-instance': { schema: ContainEc2Instance, reversible: true },
  'contain.iam-user': { schema: ContainIamUser, reversible: true },
  'contain.access-key': { schema: ContainAccessKey, reversible: true },
  'contain.role-sessions': { schema: ContainRoleSessions, reversible: true },
  'contain.s3-bucket': { schema: ContainS3Bucket, reversible: true },
  'contain.block-ip': { schema: ContainBlockIp, reversible: true },
  'contain.remove-login-profile': { schema: ContainRemoveLoginProfile, reversible: false },
  'contain.cloudtrail-logging': { schema: ContainCloudTrailLogging, reversible: true },
  'contain.security-group-ingress': { schema: ContainSecurityGroupIngress, reversible: true },
  'contain.ec2-metadata': { schema: ContainEc2Metadata, reversible: true },
  'contain.lambda-function': { schema: ContainLambdaFunction, reversible: true },
  'contain.rds-database': { schema: ContainRdsDatabase, reversible: true },
  'contain.rds-public-access': { schema: ContainRdsPublicAccess, reversible: true },
  'contain.s3-object': { schema: ContainS3Object, reversible: true },
  'contain.s3-object-delete': { schema: ContainS3ObjectDelete, reversible: false },
  'contain.ecs-task': { schema: ContainEcsTask, reversible: true },
  'contain.ecs-task-stop': { schema: ContainEcsTaskStop, reversible: false },
  'contain.eks-endpoint-access': { schema: ContainEksEndpointAccess, reversible: true },
  'contain.eks-pod-network': { schema: ContainEksPodNetwork, reversible: true },
  'contain.eks-node-cordon': { schema: ContainEksNodeCordon, reversible: true },
  'contain.eks-workload-role': { schema: ContainEksWorkloadRole, reversible: true },
  'contain.tag-incident': { schema: ContainTagIncident, reversible: true },
} as const satisfies Record<`contain.${string}`, { schema: z.ZodType; reversible: boolean }>;

/** A containment action name, e.g. `contain.ec2-instance`. */
export type ContainAction = keyof typeof containCommands;

/** A containment the isolator can undo (it has a `rollback.*` command). */
export type ReversibleContainAction = {
  [A in ContainAction]: (typeof containCommands)[A]['reversible'] extends true ? A : never;
}[ContainAction];

/** A containment that cannot be undone; playbooks must make it wait for an operator. */
export type IrreversibleContainAction = Exclude<ContainAction, ReversibleContainAction>;

/**
 * Isolator commands that only label a resource (the severity matrix's "tag"): they go to the isolator
 * and are undone with the incident's containments, but they contain nothing. So they take no
 * blast-radius slot, are not held for a protected resource or an unevaluated suppression (writing the
 * incident's id on a resource is harmless and is how its owner learns of the incident), and never
 * set `firstContainedAt` (MTTI): counting a tag as isolation would report a resource contained that
 * is not.
 */
export const markingActions = ['contain.tag-incident'] as const satisfies readonly ContainAction[];
/** One of {@link markingActions}. */
export type MarkingAction = (typeof markingActions)[number];

/** The payload schema of each containment command, keyed by action (for `payloadSchemas`). */
export const containCommandSchemas = Object.fromEntries(
  Object.entries(containCommands).map(([action, { schema }]) => [action, schema]),
) as { [A in ContainAction]: (typeof containCommands)[A]['schema'] };
