import type { ReportVerification } from '@ir/contracts';

/**
 * The evidence verifier's result as `@ir/evidence` returns it, declared structurally so
 * this package stays free of AWS and of the forensics service.
 */
export interface VerifierResult {
  readonly bucket: string;
  readonly ok: boolean;
  readonly manifests: readonly {
    readonly key: string;
    readonly sequence: number;
    readonly status: string;
    readonly reason: string | null;
  }[];
  readonly artifacts: readonly {
    readonly key: string;
    readonly versionId: string;
    readonly status: string;
    readonly expectedSha256: string;
    readonly manifest: string;
    readonly latestVersionId: string | null;
    readonly latestDiffers: boolean;
  }[];
  readonly problems: readonly string[];
}

/** No verification yet: the service that stores the report runs it. */
export function verificationNotRun(
  detail = 'verification not run: the forensics service verifies the evidence when it stores the report',
): ReportVerification {
  return {
    status: 'not-run',
    ok: null,
    bucket: null,
    checkedAt: null,
    detail,
    problems: [],
    manifests: [],
    artifacts: [],
  };
}

/** The builder has no evidence bucket to read (e.g. the coordinator without `IR_EVIDENCE_BUCKET`). */
export function verificationNotConfigured(): ReportVerification {
  return {
    ...verificationNotRun(),
    status: 'not-configured',
    detail: 'verification not configured: set IR_EVIDENCE_BUCKET (read-only access) to verify evidence here',
  };
}

/** S3 could not be read at all; the report says so instead of claiming anything about the evidence. */
export function verificationFailed(bucket: string, checkedAt: string, reason: string): ReportVerification {
  return {
    ...verificationNotRun(),
    status: 'error',
    bucket,
    checkedAt,
    detail: `verification could not run: ${reason}`,
    problems: [reason],
  };
}

/** The verifier's result, as the report carries it: every manifest and every artifact with its hash. */
export function verificationFrom(result: VerifierResult, checkedAt: string): ReportVerification {
  return {
    status: result.ok ? 'verified' : 'problems',
    ok: result.ok,
    bucket: result.bucket,
    checkedAt,
    detail: result.ok
      ? `verified: ${result.manifests.length} manifest(s) chain correctly and ${result.artifacts.length} artifact(s) hash as sealed`
      : `${result.problems.length} problem(s) found in the evidence`,
    problems: [...result.problems],
    manifests: result.manifests.map((m) => ({
      key: m.key,
      sequence: m.sequence,
      status: m.status,
      reason: m.reason,
    })),
    artifacts: result.artifacts.map((a) => ({
      key: a.key,
      versionId: a.versionId,
      sha256: a.expectedSha256,
      status: a.status,
      manifest: a.manifest,
      laterVersion: a.latestDiffers ? (a.latestVersionId ?? 'unknown') : null,
    })),
  };
}
