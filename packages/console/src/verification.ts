import type { ReportVerification } from '@ir/contracts';

/** One sentence for the verifier's verdict: "intact" only when the chain, signatures and hashes all hold. */
export function verificationSummary(verification: ReportVerification): string {
  const manifests = verification.manifests.length;
  const artifacts = verification.artifacts.length;
  switch (verification.status) {
    case 'verified':
      return `Evidence chain intact: ${manifests} manifest(s) link in sequence, every manifest's signature verifies, and ${artifacts} artifact(s) hash as sealed.`;
    case 'problems':
      return `Evidence problems found (${verification.problems.length}): the chain, a signature or an artifact does not verify.`;
    default:
      return `Evidence not verified: ${verification.detail}`;
  }
}

/** A manifest's chain and signature result, as a person reads it. */
export function manifestResult(manifest: ReportVerification['manifests'][number]): string {
  return manifest.status === 'ok'
    ? 'chain link intact; signature valid'
    : (manifest.reason ?? manifest.status);
}
