import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface EvidenceStoreProps {
  readonly prefix: string;
  readonly bucketName?: string | undefined;
  readonly lockMode: 'COMPLIANCE' | 'GOVERNANCE';
  readonly retentionDays: number;
  /**
   * The forensics member role's name (the one member role that copies snapshots); with an
   * organization or account list, it may use the key.
   */
  readonly forensicsMemberRoleName: string;
  readonly organizationId?: string | undefined;
  readonly memberAccountIds: readonly string[];
  /** The break-glass role (ARN) that alone may disable or schedule deletion of the key; unset: created. */
  readonly breakGlassRoleArn?: string | undefined;
  /** The forensics task role (ARN): the one principal the signing key's policy lets sign manifests. */
  readonly manifestSignerRoleArn: string;
}

/** Key actions that destroy every evidence object and snapshot copy at once. */
export const KEY_DESTRUCTION_ACTIONS = ['kms:ScheduleKeyDeletion', 'kms:DisableKey'] as const;

/**
 * Where evidence lives: a customer-managed KMS key (rotated, retained) and a bucket with Object Lock
 * (default retention in the configured mode), versioning, SSE-KMS with that key, public access
 * blocked, TLS only, and server access logs to a separate bucket.
 *
 * Why a customer-managed key: snapshots encrypted with an AWS-managed key cannot be shared across
 * accounts (TRAPS 14), so the forensics service copies them with this key, and member accounts'
 * response roles may use it (only when an organization id or account list says which accounts).
 */
export class EvidenceStore extends Construct {
  readonly key: kms.Key;
  /**
   * The asymmetric key (`ECC_NIST_P256`, `SIGN_VERIFY`) evidence manifests are signed with. Why a key
   * of its own: a hash chain its writer can extend proves nothing (TRAPS 25); the private half never
   * leaves KMS, only the forensics task role may sign, and every signature is a logged call.
   */
  readonly signingKey: kms.Key;
  readonly bucket: s3.Bucket;
  readonly accessLogs: s3.Bucket;
  /** ARN of the one role the key policy lets disable or schedule deletion of the key. */
  readonly breakGlassRoleArn: string;
  /** The break-glass role, when the stack created it (no `breakGlassRoleArn` given). */
  readonly breakGlassRole: iam.Role | undefined;

  constructor(scope: Construct, id: string, props: EvidenceStoreProps) {
    super(scope, id);
    this.key = new kms.Key(this, 'Key', {
      alias: `alias/${props.prefix}-evidence`,
      description: 'Incident-response evidence: S3 artifacts and copied EBS snapshots',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
      pendingWindow: Duration.days(30),
    });
    this.signingKey = new kms.Key(this, 'SigningKey', {
      alias: `alias/${props.prefix}-evidence-signing`,
      description: 'Incident-response evidence: signs each evidence manifest (forensics task role only)',
      keySpec: kms.KeySpec.ECC_NIST_P256,
      keyUsage: kms.KeyUsage.SIGN_VERIFY,
      removalPolicy: RemovalPolicy.RETAIN,
      pendingWindow: Duration.days(30),
    });
    // The account's IAM policies cannot widen this: an explicit deny in the key policy wins.
    this.signingKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'OnlyForensicsMaySignManifests',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['kms:Sign'],
        resources: ['*'],
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': props.manifestSignerRoleArn } },
      }),
    );
    this.allowMemberAccounts(props);
    this.breakGlassRole = props.breakGlassRoleArn ? undefined : this.createBreakGlassRole(props.prefix);
    this.breakGlassRoleArn = props.breakGlassRoleArn ?? this.breakGlassRole?.roleArn ?? '';
    // Destroying the signing key leaves every manifest unverifiable: the same break glass guards it.
    for (const key of [this.key, this.signingKey]) {
      key.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'OnlyBreakGlassMayDestroyTheKey',
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: [...KEY_DESTRUCTION_ACTIONS],
          resources: ['*'],
          conditions: { ArnNotEquals: { 'aws:PrincipalArn': this.breakGlassRoleArn } },
        }),
      );
    }

    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      // Server access logging cannot deliver to a bucket encrypted with SSE-KMS.
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(730), noncurrentVersionExpiration: Duration.days(30) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const retention =
      props.lockMode === 'COMPLIANCE'
        ? s3.ObjectLockRetention.compliance(Duration.days(props.retentionDays))
        : s3.ObjectLockRetention.governance(Duration.days(props.retentionDays));
    this.bucket = new s3.Bucket(this, 'Bucket', {
      bucketName: props.bucketName ?? `${props.prefix}-evidence-${Aws.ACCOUNT_ID}-${Aws.REGION}`,
      objectLockEnabled: true,
      objectLockDefaultRetention: retention,
      versioned: true,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'evidence/',
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /**
   * The break-glass role: may disable or schedule deletion of the evidence key, and nobody may assume
   * it (a Deny for every principal in its trust policy). Breaking glass is an administrator removing
   * that statement, which CloudTrail records, and any use of the key actions raises the alarm.
   */
  private createBreakGlassRole(prefix: string): iam.Role {
    const role = new iam.Role(this, 'BreakGlassRole', {
      roleName: `${prefix}-evidence-break-glass`,
      description:
        'Break glass: the only principal that may disable or schedule deletion of the evidence key. Assumable by nobody until an administrator edits its trust policy.',
      assumedBy: new iam.AccountRootPrincipal(),
    });
    role.assumeRolePolicy?.addStatements(
      new iam.PolicyStatement({
        sid: 'NobodyUntilGlassIsBroken',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['sts:AssumeRole'],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'EvidenceKeyLifecycle',
        actions: [...KEY_DESTRUCTION_ACTIONS, 'kms:CancelKeyDeletion', 'kms:EnableKey', 'kms:DescribeKey'],
        resources: [this.key.keyArn, this.signingKey.keyArn],
      }),
    );
    return role;
  }

  /**
   * Lets member accounts' response roles copy snapshots with this key (CopySnapshot/CreateVolume
   * need a grant on the destination key). Scoped by organization or account list; with neither, no
   * other account may use the key and snapshots stay encrypted with the member account's own key.
   */
  private allowMemberAccounts(props: EvidenceStoreProps): void {
    const actions = [
      'kms:DescribeKey',
      'kms:Decrypt',
      'kms:ReEncryptFrom',
      'kms:ReEncryptTo',
      'kms:GenerateDataKeyWithoutPlaintext',
    ];
    const roleArnPattern = `arn:${Aws.PARTITION}:iam::*:role/${props.forensicsMemberRoleName}`;
    // Only through EBS in the key's region (a member role never uses the key directly), and grants only
    // for EBS (CopySnapshot, CreateVolume), never to a principal the caller names.
    const viaEbs = { 'kms:ViaService': `ec2.${Aws.REGION}.amazonaws.com` };
    const grants = {
      actions: ['kms:CreateGrant'],
      conditions: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
    };
    if (props.organizationId) {
      this.key.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'MemberResponseRolesInOrganization',
          principals: [new iam.AnyPrincipal()],
          actions,
          resources: ['*'],
          conditions: {
            StringEquals: { 'aws:PrincipalOrgID': props.organizationId, ...viaEbs },
            ArnLike: { 'aws:PrincipalArn': roleArnPattern },
          },
        }),
      );
      this.key.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'MemberResponseRolesInOrganizationGrantsForEbs',
          principals: [new iam.AnyPrincipal()],
          actions: grants.actions,
          resources: ['*'],
          conditions: {
            ...grants.conditions,
            StringEquals: { 'aws:PrincipalOrgID': props.organizationId, ...viaEbs },
            ArnLike: { 'aws:PrincipalArn': roleArnPattern },
          },
        }),
      );
    } else if (props.memberAccountIds.length > 0) {
      this.key.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'MemberResponseRolesInListedAccounts',
          principals: props.memberAccountIds.map((account) => new iam.AccountPrincipal(account)),
          actions,
          resources: ['*'],
          conditions: { StringEquals: viaEbs, ArnLike: { 'aws:PrincipalArn': roleArnPattern } },
        }),
      );
      this.key.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'MemberResponseRolesInListedAccountsGrantsForEbs',
          principals: props.memberAccountIds.map((account) => new iam.AccountPrincipal(account)),
          actions: grants.actions,
          resources: ['*'],
          conditions: {
            ...grants.conditions,
            StringEquals: viaEbs,
            ArnLike: { 'aws:PrincipalArn': roleArnPattern },
          },
        }),
      );
    }
  }
}
