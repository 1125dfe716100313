import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * Bucket settings that would expose the evidence or its access logs, shorten what is kept, or stop
 * recording who read them. No service changes them; an administrator does, through CloudFormation.
 */
export const EVIDENCE_BUCKET_CONFIG_ACTIONS = [
  's3:PutBucketPolicy',
  's3:DeleteBucketPolicy',
  's3:PutBucketAcl',
  's3:PutBucketPublicAccessBlock',
  's3:PutLifecycleConfiguration',
  's3:PutBucketObjectLockConfiguration',
  's3:PutBucketVersioning',
  's3:PutEncryptionConfiguration',
  's3:PutBucketLogging',
  's3:PutBucketOwnershipControls',
  's3:PutReplicationConfiguration',
  's3:DeleteBucket',
] as const;

/** Object changes that would destroy evidence or lift its lock. */
export const EVIDENCE_OBJECT_ACTIONS = [
  's3:DeleteObject*',
  's3:BypassGovernanceRetention',
  's3:PutObjectLegalHold',
  's3:PutObjectAcl',
  's3:PutObjectVersionAcl',
] as const;

/** The evidence store as the denies name it. */
export interface EvidenceGuardTarget {
  readonly evidenceBucketArn: string;
  /** The evidence bucket's server access logs: the record of who read what. */
  readonly logBucketArn: string;
  /**
   * Set for the one role that writes evidence (forensics): it sets retention on its own uploads
   * (PutObject with Object Lock headers, and PutObjectRetention to lengthen a presigned upload's), so
   * it may, but only in the configured mode and for at most the configured days (plus one for clocks).
   * Every other role may not set retention at all.
   */
  readonly retentionWriter?: { readonly lockMode: string; readonly retentionDays: number } | undefined;
}

/**
 * Explicit denies that keep the evidence out of reach of every task role (TRAPS 25): no change to the
 * evidence and log buckets' policy, ACL, public access block, lifecycle, Object Lock, versioning,
 * encryption or logging; no deletion and no lifting of retention; and KMS grants only for AWS
 * services (EBS), never to a principal the role chooses.
 */
export function evidenceGuardStatements(target: EvidenceGuardTarget): iam.PolicyStatement[] {
  const buckets = [target.evidenceBucketArn, target.logBucketArn];
  const { retentionWriter } = target;
  const evidenceObjects = `${target.evidenceBucketArn}/*`;
  return [
    new iam.PolicyStatement({
      sid: 'DenyEvidenceBucketConfiguration',
      effect: iam.Effect.DENY,
      actions: [...EVIDENCE_BUCKET_CONFIG_ACTIONS],
      resources: buckets,
    }),
    new iam.PolicyStatement({
      sid: 'DenyEvidenceObjectDestruction',
      effect: iam.Effect.DENY,
      // The retention writer may place legal holds (evidence.s3-object), never lift them: below.
      actions: EVIDENCE_OBJECT_ACTIONS.filter(
        (action) => !(retentionWriter && action === 's3:PutObjectLegalHold'),
      ),
      resources: buckets.map((bucket) => `${bucket}/*`),
    }),
    ...(retentionWriter
      ? [
          new iam.PolicyStatement({
            sid: 'DenyEvidenceLegalHoldRelease',
            effect: iam.Effect.DENY,
            actions: ['s3:PutObjectLegalHold'],
            resources: buckets.map((bucket) => `${bucket}/*`),
            // True when the key is absent too: only a request that sets the hold ON passes.
            conditions: { StringNotEquals: { 's3:object-lock-legal-hold': 'ON' } },
          }),
          new iam.PolicyStatement({
            sid: 'DenyEvidenceRetentionInAnotherMode',
            effect: iam.Effect.DENY,
            actions: ['s3:PutObjectRetention'],
            resources: [evidenceObjects],
            conditions: { StringNotEquals: { 's3:object-lock-mode': retentionWriter.lockMode } },
          }),
          new iam.PolicyStatement({
            sid: 'DenyEvidenceRetentionBeyondTheConfiguredDays',
            effect: iam.Effect.DENY,
            actions: ['s3:PutObjectRetention'],
            resources: [evidenceObjects],
            conditions: {
              NumericGreaterThan: {
                's3:object-lock-remaining-retention-days': String(retentionWriter.retentionDays + 1),
              },
            },
          }),
        ]
      : [
          new iam.PolicyStatement({
            sid: 'DenyEvidenceRetentionChanges',
            effect: iam.Effect.DENY,
            actions: ['s3:PutObjectRetention'],
            resources: [evidenceObjects],
          }),
        ]),
    kmsGrantGuard(),
  ];
}

/**
 * The same denies for a member response role, which never touches the evidence store: every
 * bucket owned by the security account (`aws:ResourceAccount`), since the member stack cannot name
 * the buckets (the log bucket's name is generated).
 */
export function memberEvidenceGuardStatements(
  partition: string,
  securityAccountId: string,
): iam.PolicyStatement[] {
  const inSecurityAccount = { StringEquals: { 'aws:ResourceAccount': securityAccountId } };
  return [
    new iam.PolicyStatement({
      sid: 'DenyEvidenceBucketConfiguration',
      effect: iam.Effect.DENY,
      actions: [...EVIDENCE_BUCKET_CONFIG_ACTIONS],
      resources: [`arn:${partition}:s3:::*`],
      conditions: inSecurityAccount,
    }),
    new iam.PolicyStatement({
      sid: 'DenyEvidenceObjectDestruction',
      effect: iam.Effect.DENY,
      actions: [...EVIDENCE_OBJECT_ACTIONS, 's3:PutObjectRetention'],
      resources: [`arn:${partition}:s3:::*/*`],
      conditions: inSecurityAccount,
    }),
    kmsGrantGuard(),
  ];
}

/** `kms:CreateGrant` only when an AWS service (EBS copying or creating from a snapshot) asks for it. */
function kmsGrantGuard(): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'DenyKmsGrantsNotForAwsResources',
    effect: iam.Effect.DENY,
    actions: ['kms:CreateGrant'],
    resources: ['*'],
    conditions: { Bool: { 'kms:GrantIsForAWSResource': 'false' } },
  });
}
