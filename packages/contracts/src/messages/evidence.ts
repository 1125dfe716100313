import { z } from 'zod';
import { IsoDateTime } from '../primitives.js';
import { EvidenceCleanRoom, EvidenceCleanRoomTeardown } from './clean-room.js';
import { EvidenceStoreReport } from './report.js';
import { RdsTarget } from './rds-target.js';
import { StepTarget, stepCommand } from './step-command.js';

const InstanceParams = z.object({ instanceId: z.string().min(1) });

/** Snapshot every EBS volume of an instance (started before isolation; completion not awaited). */
export const EvidenceSnapshotVolumes = stepCommand('evidence.snapshot-volumes', InstanceParams);
/** @see EvidenceSnapshotVolumes */
export type EvidenceSnapshotVolumes = z.infer<typeof EvidenceSnapshotVolumes>;

/** Capture instance metadata (describe output, console output, screenshot). */
export const EvidenceCaptureInstance = stepCommand('evidence.capture-instance', InstanceParams);
/** @see EvidenceCaptureInstance */
export type EvidenceCaptureInstance = z.infer<typeof EvidenceCaptureInstance>;

/** Collect volatile data over SSM, before network isolation cuts it off (TRAPS 11). */
export const EvidenceCollectVolatile = stepCommand('evidence.collect-volatile', InstanceParams);
/** @see EvidenceCollectVolatile */
export type EvidenceCollectVolatile = z.infer<typeof EvidenceCollectVolatile>;

/** Collect IAM evidence for a user, role or key (at least one named). */
export const EvidenceCollectIam = stepCommand(
  'evidence.collect-iam',
  z
    .object({
      userName: z.string().min(1).optional(),
      roleName: z.string().min(1).optional(),
      accessKeyId: z.string().min(1).optional(),
    })
    .refine((p) => p.userName !== undefined || p.roleName !== undefined || p.accessKeyId !== undefined, {
      message: 'needs userName, roleName or accessKeyId',
      path: ['userName'],
    }),
);
/** @see EvidenceCollectIam */
export type EvidenceCollectIam = z.infer<typeof EvidenceCollectIam>;

/** Collect a bucket's policy, ACLs, public-access block and logging configuration. */
export const EvidenceCollectS3 = stepCommand(
  'evidence.collect-s3',
  z.object({ bucketName: z.string().min(1) }),
);
/** @see EvidenceCollectS3 */
export type EvidenceCollectS3 = z.infer<typeof EvidenceCollectS3>;

/**
 * Snapshot an RDS database (the cluster when one is named, else the instance), tagged with the
 * incident, wait until it is available, and record the database's configuration.
 */
export const EvidenceSnapshotRds = stepCommand('evidence.snapshot-rds', RdsTarget);
/** @see EvidenceSnapshotRds */
export type EvidenceSnapshotRds = z.infer<typeof EvidenceSnapshotRds>;

/**
 * Copy one S3 object version (a malware finding's) into the evidence bucket, hashed here, with a
 * legal hold, and record where it came from (`s3-object-….json`).
 */
export const EvidenceS3Object = stepCommand(
  'evidence.s3-object',
  z.object({
    bucketName: z.string().min(1),
    key: z.string().min(1),
    versionId: z.string().min(1).optional(),
  }),
);
/** @see EvidenceS3Object */
export type EvidenceS3Object = z.infer<typeof EvidenceS3Object>;

/**
 * Collect a Lambda function's evidence: its configuration, its code package (downloaded into the
 * evidence bucket and hashed there), its resource policy and its event-source mappings. `qualifier`
 * is the version or alias the finding names; without it, `$LATEST`.
 */
export const EvidenceCollectLambda = stepCommand(
  'evidence.collect-lambda',
  z.object({ functionName: z.string().min(1), qualifier: z.string().min(1).optional() }),
);
/** @see EvidenceCollectLambda */
export type EvidenceCollectLambda = z.infer<typeof EvidenceCollectLambda>;

/**
 * Record an ECS task: the task (DescribeTasks) and its task definition (DescribeTaskDefinition), and
 * a pointer to each container's log stream (the `awslogs` group and stream). The logs are pointed
 * to, not copied: CloudWatch Logs keeps them under its own retention.
 */
export const EvidenceCollectEcsTask = stepCommand(
  'evidence.collect-ecs-task',
  z.object({ taskArn: z.string().startsWith('arn:'), cluster: z.string().min(1).optional() }),
);
/** @see EvidenceCollectEcsTask */
export type EvidenceCollectEcsTask = z.infer<typeof EvidenceCollectEcsTask>;

/**
 * Record an EKS cluster: its configuration (DescribeCluster: version, endpoint access and CIDRs,
 * logging, roles, OIDC issuer, access configuration, tags), its node groups and Fargate profiles, the
 * workload, service account and node the finding names (recorded as the finding reports them: the
 * service does not read the Kubernetes API), and the pod-identity associations of that service
 * account. Every field but `clusterName` is optional, so a playbook passes what the finding gives
 * (`${eksWorkload.namespace?}`).
 */
export const EvidenceCollectEksCluster = stepCommand(
  'evidence.collect-eks-cluster',
  z.object({
    clusterName: z.string().min(1),
    namespace: z.string().min(1).optional(),
    workloadName: z.string().min(1).optional(),
    /** GuardDuty's `type` of the workload: `pods`, `deployments`, `jobs`, ... */
    workloadType: z.string().min(1).optional(),
    /** The workload's uid as GuardDuty reports it (a pod's uid for `pods`). */
    workloadUid: z.string().min(1).optional(),
    serviceAccountName: z.string().min(1).optional(),
    /** The EC2 instance (node) the workload ran on. */
    nodeInstanceId: z.string().min(1).optional(),
    /** The workload's labels as the finding reports them. */
    labels: z.record(z.string(), z.string()).optional(),
  }),
);
/** @see EvidenceCollectEksCluster */
export type EvidenceCollectEksCluster = z.infer<typeof EvidenceCollectEksCluster>;

/** Write the hash manifest and lock the incident's evidence (TRAPS 12). */
export const EvidenceSeal = stepCommand('evidence.seal', z.object({}));
/** @see EvidenceSeal */
export type EvidenceSeal = z.infer<typeof EvidenceSeal>;

/**
 * The forensics service's note to itself to look at an incident's evidence snapshots again: sent on
 * its own queue with a delay while snapshots, KMS copies, shares or forensics-account copies are still
 * in progress. Why a message and not a timer: it survives restarts and is handled by any replica; the
 * message carries everything observed so far, so the watch needs no table of its own.
 */
export const EvidenceSnapshotFollowupPayload = z.object({
  /** The snapshot-volumes step whose snapshots are watched. */
  stepId: z.string().min(1),
  target: StepTarget,
  instanceId: z.string().min(1),
  /** 1 for the first look after the step. */
  attempt: z.number().int().min(1),
  watchStartedAt: IsoDateTime,
  /** After this the watch records what it has and stops. */
  watchUntil: IsoDateTime,
  /** Snapshot id → when this service first saw it `completed`. */
  completedObservedAt: z.record(z.string(), IsoDateTime).default({}),
  /** Snapshot id → consecutive times the forensics account could not see it to copy it. */
  copyMisses: z.record(z.string(), z.number().int().min(0)).default({}),
});
/** @see EvidenceSnapshotFollowupPayload */
export type EvidenceSnapshotFollowupPayload = z.infer<typeof EvidenceSnapshotFollowupPayload>;

/**
 * Every evidence command the forensics service performs, keyed by action: the single list from which
 * `evidenceActions` and the message schemas are derived. (`evidence.snapshot-followup` is not here: it
 * is the service's note to itself, not a step the coordinator sends.)
 */
export const evidenceCommands = {
  'evidence.snapshot-volumes': EvidenceSnapshotVolumes,
  'evidence.capture-instance': EvidenceCaptureInstance,
  'evidence.collect-volatile': EvidenceCollectVolatile,
  'evidence.collect-iam': EvidenceCollectIam,
  'evidence.collect-s3': EvidenceCollectS3,
  'evidence.collect-lambda': EvidenceCollectLambda,
  'evidence.collect-ecs-task': EvidenceCollectEcsTask,
  'evidence.collect-eks-cluster': EvidenceCollectEksCluster,
  'evidence.snapshot-rds': EvidenceSnapshotRds,
  'evidence.s3-object': EvidenceS3Object,
  'evidence.seal': EvidenceSeal,
  'evidence.clean-room': EvidenceCleanRoom,
  'evidence.clean-room-teardown': EvidenceCleanRoomTeardown,
  'evidence.store-report': EvidenceStoreReport,
} as const satisfies Record<`evidence.${string}`, z.ZodType>;

/** An evidence action name, e.g. `evidence.seal`. */
export type EvidenceAction = keyof typeof evidenceCommands;
