import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { ArtifactMetadata } from '../evidence/evidence-store.js';
import {
  base64ToHex,
  type EvidenceManifest,
  hashVersion,
  headVersion,
  incidentPrefix,
  keySegment,
  listManifests,
  listVersions,
  MANIFEST_SCHEMA,
  type ManifestEntry,
  manifestKey,
  manifestPrefix,
  readSealedManifest,
  signManifest,
  versionsByKey,
} from '@ir/evidence';
import { type StepContext, type StepHandler, succeeded } from '@ir/runtime';
import { EvidenceIntegrityError } from '../errors.js';
import type { ActionDeps } from './types.js';

/**
 * evidence.seal: writes the incident's next manifest, listing every artifact under
 * `incidents/<incidentId>/` at the version this service wrote (the first), re-read and re-hashed here,
 * with the previous manifest's SHA-256, signed with the KMS key `IR_EVIDENCE_SIGNING_KEY` (the
 * signature is a field of the manifest, so both are one object). Written once (`If-None-Match`),
 * locked, never overwritten; sealing again with the same step returns the manifest already written.
 * An artifact whose bytes no longer match the hash recorded at upload fails the step: that is for a
 * person, not a retry.
 */
export function seal(deps: ActionDeps): StepHandler<'evidence.seal'> {
  return async (_params, context) => {
    const sealed = await sealIncident(deps, {
      incidentId: context.incidentId,
      stepId: context.stepId,
      action: context.action,
      dryRun: context.dryRun,
      logger: context.logger,
    });
    return succeeded(sealed.result, { verified: sealed.verified });
  };
}

/** What {@link sealIncident} seals: the incident, and the step (or follow-up) the manifest is named by. */
export interface SealRequest {
  readonly incidentId: string;
  /** Names the manifest; sealing again with the same id returns the manifest already written. */
  readonly stepId: string;
  /** Recorded as the manifest object's `ir-action`. */
  readonly action: string;
  readonly dryRun: boolean;
  readonly logger: Pick<StepContext['logger'], 'info'>;
}

/** What a seal did: `result` for people (the manifest, its artifacts and warnings), `verified` read back. */
export interface SealRecord {
  readonly result: Record<string, unknown>;
  readonly verified?: Record<string, unknown> | undefined;
}

/**
 * Writes the incident's next manifest (see {@link seal}). Exported for work that adds evidence after
 * the playbook's seal step (snapshot completion observed later, clean-room outputs, the report): each
 * seals its own manifest, chained to the previous one, so nothing stored stays unsealed.
 */
export async function sealIncident(deps: ActionDeps, request: SealRequest): Promise<SealRecord> {
  const { incidentId, stepId } = request;
  // The evidence bucket is ours: use our own account's client, whatever the step's target.
  const s3 = await deps.aws.client(S3Client);
  const bucket = deps.store.bucket;
  const manifests = await listManifests(s3, bucket, incidentId);
  // Manifest keys carry the step id made key-safe (':' of fanned-out steps becomes '-').
  const mine = manifests.find((m) => m.stepId === keySegment(stepId));
  if (mine) {
    const sealed = await readSealedManifest(s3, bucket, mine);
    return { result: resultOf(sealed.document, mine.key, sealed.versionId, sealed.sha256, true) };
  }
  const last = manifests.at(-1);
  const previous = last ? await readSealedManifest(s3, bucket, last) : undefined;

  const versions = versionsByKey(
    (await listVersions(s3, bucket, incidentPrefix(incidentId))).filter(
      (v) => !v.key.startsWith(manifestPrefix(incidentId)),
    ),
  );
  const artifacts: ManifestEntry[] = [];
  const warnings: string[] = [];
  for (const [key, list] of versions) {
    const [first, ...later] = list;
    if (!first) continue;
    if (later.length > 0) {
      warnings.push(
        `${key} has ${later.length} later version(s) (${later.map((v) => v.versionId).join(', ')}) not written by this service; the first version is sealed`,
      );
    }
    const head = await headVersion(s3, bucket, key, first.versionId);
    const { sha256: actual, size } = await hashVersion(s3, bucket, key, first.versionId);
    const recorded = head.Metadata?.[ArtifactMetadata.sha256];
    const checksum = head.ChecksumSHA256 ? base64ToHex(head.ChecksumSHA256) : undefined;
    if ((recorded && recorded !== actual) || (checksum && checksum !== actual)) {
      throw new EvidenceIntegrityError(
        `s3://${bucket}/${key} version ${first.versionId} hashes to ${actual}, but ${recorded ?? checksum} was recorded when it was written: evidence may have been tampered with`,
      );
    }
    const hostClaim = head.Metadata?.[ArtifactMetadata.hostSha256];
    if (!recorded && hostClaim === undefined)
      warnings.push(
        `${key} carries no ${ArtifactMetadata.sha256} metadata: not written by the forensics service`,
      );
    if (!recorded && hostClaim !== undefined && hostClaim !== actual)
      warnings.push(
        `${key} was uploaded by the host, which said it hashes to ${hostClaim}; the stored bytes hash to ${actual}, which is what is sealed`,
      );
    artifacts.push({
      key,
      versionId: first.versionId,
      size,
      sha256: actual,
      collector: head.Metadata?.[ArtifactMetadata.collector] ?? 'unknown',
      collectedAt: head.Metadata?.[ArtifactMetadata.collectedAt] ?? first.lastModified.toISOString(),
      action: head.Metadata?.[ArtifactMetadata.action] ?? 'unknown',
      stepId: head.Metadata?.[ArtifactMetadata.stepId] ?? 'unknown',
      sourceAccount: head.Metadata?.[ArtifactMetadata.sourceAccount] ?? 'unknown',
    });
  }
  const sequence = (last?.sequence ?? 0) + 1;
  const key = manifestKey(incidentId, sequence, stepId);
  const manifest: EvidenceManifest = {
    schema: MANIFEST_SCHEMA,
    incidentId,
    sequence,
    stepId,
    sealedAt: deps.now().toISOString(),
    sealedBy: await deps.callerArn(),
    bucket,
    previous:
      previous && last ? { key: last.key, versionId: previous.versionId, sha256: previous.sha256 } : null,
    artifacts,
    warnings,
  };
  if (request.dryRun) {
    return {
      result: {
        dryRun: true,
        wouldWrite: [key],
        artifacts: artifacts.length,
        warnings,
        previous: manifest.previous,
        wouldSignWith: deps.config.IR_EVIDENCE_SIGNING_KEY,
      },
    };
  }
  // Signed here, in the service, with a key that never leaves KMS (TRAPS 25): whoever can only write
  // to the bucket cannot add a manifest the verifier accepts.
  const kms = await deps.aws.client(KMSClient);
  const signature = await signManifest(kms, deps.config.IR_EVIDENCE_SIGNING_KEY, manifest);
  const body = JSON.stringify({ ...manifest, signature }, null, 2);
  const stored = await deps.store.putAt(key, {
    incidentId,
    stepId,
    action: request.action,
    contentType: 'application/json',
    sourceAccount: await deps.aws.homeAccountId(),
    body,
  });
  request.logger.info(
    { manifest: key, artifacts: artifacts.length, sequence, signingKey: signature.keyId },
    'evidence_sealed',
  );
  return {
    result: resultOf({ ...manifest, signature }, key, stored.versionId, stored.sha256, false),
    verified: {
      manifestReadBack: {
        versionId: stored.versionId,
        sha256: stored.sha256,
        retainUntil: stored.retainUntil,
      },
    },
  };
}

function resultOf(manifest: EvidenceManifest, key: string, versionId: string, sha: string, reused: boolean) {
  return {
    manifest: { key, versionId, sha256: sha, sequence: manifest.sequence },
    artifacts: manifest.artifacts.length,
    previous: manifest.previous,
    warnings: manifest.warnings,
    /** The key that signed the manifest; null for one sealed before signing existed. */
    signedWith: manifest.signature?.keyId ?? null,
    reused,
  };
}
