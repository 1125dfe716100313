import type { KMSClient } from '@aws-sdk/client-kms';
import type { S3Client } from '@aws-sdk/client-s3';
import { verifyEvidence } from '@ir/evidence';
import type { ReportVerification } from '@ir/contracts';
import { verificationFailed, verificationFrom, verificationNotConfigured } from '@ir/reporting';
import { errorMessage, errorName, type Logger } from '@ir/runtime';

/** Verifies an incident's evidence for a report; never claims more than it read. */
export type ReportVerifier = (incidentId: string, logger: Logger) => Promise<ReportVerification>;

/**
 * The verifier the report route uses: the forensics verifier over the evidence bucket (read-only
 * calls: ListObjectVersions, GetObject, and kms:Verify of each manifest's signature against the
 * signing key), or "not configured" without a bucket or key. When S3 or KMS cannot be read the report
 * says so (`status: error` with the reason) instead of failing the whole report.
 */
export function reportVerifier(settings: {
  readonly s3?: S3Client | undefined;
  readonly bucket?: string | undefined;
  /** The key manifests are signed with and a KMS client to verify with. */
  readonly signing?: { readonly kms: KMSClient; readonly keyId: string } | undefined;
  readonly clock: () => Date;
}): ReportVerifier {
  const { s3, bucket, signing, clock } = settings;
  if (!s3 || !bucket || !signing) return async () => verificationNotConfigured();
  return async (incidentId, logger) => {
    const checkedAt = clock().toISOString();
    try {
      return verificationFrom(await verifyEvidence({ s3, bucket, incidentId, signing }), checkedAt);
    } catch (error: unknown) {
      logger.warn(
        { incidentId, bucket, error: errorName(error), reason: errorMessage(error) },
        'report_verification_failed',
      );
      return verificationFailed(bucket, checkedAt, `${errorName(error)}: ${errorMessage(error)}`);
    }
  };
}
