import * as iam from 'aws-cdk-lib/aws-iam';
import type { PolicyRefs } from './policy-refs.js';

/**
 * Read-only evidence access of the coordinator: its report route runs the evidence verifier, which
 * lists versions and reads them (never writes, never changes retention), and checks each manifest's
 * signature with kms:Verify (never kms:Sign). Decrypt only, for SSE-KMS.
 * Written once here; docs/iam/coordinator-report-policy.json is generated from it (`pnpm docs:iam`).
 */
export function coordinatorReportStatements(
  refs: Pick<PolicyRefs, 'evidenceBucketArn' | 'evidenceKeyArn' | 'evidenceSigningKeyArn'>,
): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      sid: 'ReadEvidenceForReports',
      actions: ['s3:GetObject', 's3:GetObjectVersion'],
      resources: [`${refs.evidenceBucketArn}/incidents/*`],
    }),
    new iam.PolicyStatement({
      sid: 'ListEvidenceForReports',
      actions: ['s3:ListBucket', 's3:ListBucketVersions'],
      resources: [refs.evidenceBucketArn],
    }),
    new iam.PolicyStatement({
      sid: 'DecryptEvidence',
      actions: ['kms:Decrypt', 'kms:DescribeKey'],
      resources: [refs.evidenceKeyArn],
    }),
    new iam.PolicyStatement({
      sid: 'VerifyEvidenceManifestSignatures',
      actions: ['kms:Verify'],
      resources: [refs.evidenceSigningKeyArn],
    }),
  ];
}
