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
  /** Role name the member accounts create; with an organization or account list, it may use the key. */
  readonly memberRoleName: string;
  readonly organizationId?: string | undefined;
  readonly memberAccountIds: readonly string[];
}

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
  readonly bucket: s3.Bucket;
  readonly accessLogs: s3.Bucket;

  constructor(scope: Construct, id: string, props: EvidenceStoreProps) {
    super(scope, id);
    this.key = new kms.Key(this, 'Key', {
      alias: `alias/${props.prefix}-evidence`,
      description: 'Incident-response evidence: S3 artifacts and copied EBS snapshots',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
      pendingWindow: Duration.days(30),
    });
    this.allowMemberAccounts(props);

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
   * Lets member accounts' response roles copy snapshots with this key (CopySnapshot/CreateVolume
   * need a grant on the destination key). Scoped by organization or account list; with neither, no
   * other account may use the key and snapshots stay encrypted with the member account's own key.
   */
  private allowMemberAccounts(props: EvidenceStoreProps): void {
    const actions = [
      'kms:CreateGrant',
      'kms:DescribeKey',
      'kms:Decrypt',
      'kms:ReEncryptFrom',
      'kms:ReEncryptTo',
      'kms:GenerateDataKeyWithoutPlaintext',
    ];
    const roleArnPattern = `arn:${Aws.PARTITION}:iam::*:role/${props.memberRoleName}`;
    if (props.organizationId) {
      this.key.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'MemberResponseRolesInOrganization',
          principals: [new iam.AnyPrincipal()],
          actions,
          resources: ['*'],
          conditions: {
            StringEquals: { 'aws:PrincipalOrgID': props.organizationId },
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
          conditions: { ArnLike: { 'aws:PrincipalArn': roleArnPattern } },
        }),
      );
    }
  }
}
