import { S3Client } from '@aws-sdk/client-s3';
import { ArtifactMetadata } from '../evidence/evidence-store.js';
import { base64ToHex, sha256 } from '../evidence/hash.js';
import { incidentPrefix, manifestKey, manifestPrefix } from '../evidence/keys.js';
import { headVersion, listVersions, readVersion, versionsByKey } from '../evidence/s3-versions.js';
import { EvidenceIntegrityError } from '../errors.js';
import { type EvidenceManifest, MANIFEST_SCHEMA, type ManifestEntry } from '../verifier/manifest.js';
import { listManifests, readSealedManifest } from '../verifier/manifest-store.js';
import type { ActionDeps, ActionHandler } from './types.js';

/**
 * evidence.seal: writes the incident's next manifest, listing every artifact under
 * `incidents/<incidentId>/` at the version this service wrote (the first), re-read and re-hashed here,
 * with the previous manifest's SHA-256. Written once (`If-None-Match`), locked, never overwritten;
 * sealing again with the same step returns the manifest already written. An artifact whose bytes no
 * longer match the hash recorded at upload fails the step: that is for a person, not a retry.
 */
export function seal(deps: ActionDeps): ActionHandler<'evidence.seal'> {
  return async (command, context) => {
    const { incidentId } = command;
    const { stepId } = command.payload;
    // The evidence bucket is ours: use our own account's client, whatever the step's target.
    const s3 = await deps.aws.client(S3Client);
    const bucket = deps.store.bucket;
    const manifests = await listManifests(s3, bucket, incidentId);
    const mine = manifests.find((m) => m.stepId === stepId);
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
      const bytes = await readVersion(s3, bucket, key, first.versionId);
      const actual = sha256(bytes).hex;
      const recorded = head.Metadata?.[ArtifactMetadata.sha256];
      const checksum = head.ChecksumSHA256 ? base64ToHex(head.ChecksumSHA256) : undefined;
      if ((recorded && recorded !== actual) || (checksum && checksum !== actual)) {
        throw new EvidenceIntegrityError(
          `s3://${bucket}/${key} version ${first.versionId} hashes to ${actual}, but ${recorded ?? checksum} was recorded when it was written: evidence may have been tampered with`,
        );
      }
      if (!recorded)
        warnings.push(
          `${key} carries no ${ArtifactMetadata.sha256} metadata: not written by the forensics service`,
        );
      artifacts.push({
        key,
        versionId: first.versionId,
        size: bytes.byteLength,
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
    if (command.dryRun) {
      return {
        result: {
          dryRun: true,
          wouldWrite: [key],
          artifacts: artifacts.length,
          warnings,
          previous: manifest.previous,
        },
      };
    }
    const body = JSON.stringify(manifest, null, 2);
    const stored = await deps.store.putAt(key, {
      incidentId,
      stepId,
      action: command.type,
      contentType: 'application/json',
      sourceAccount: await deps.aws.homeAccountId(),
      body,
    });
    context.logger.info({ manifest: key, artifacts: artifacts.length, sequence }, 'evidence_sealed');
    return {
      result: resultOf(manifest, key, stored.versionId, stored.sha256, false),
      verified: {
        manifestReadBack: {
          versionId: stored.versionId,
          sha256: stored.sha256,
          retainUntil: stored.retainUntil,
        },
      },
    };
  };
}

function resultOf(manifest: EvidenceManifest, key: string, versionId: string, sha: string, reused: boolean) {
  return {
    manifest: { key, versionId, sha256: sha, sequence: manifest.sequence },
    artifacts: manifest.artifacts.length,
    previous: manifest.previous,
    warnings: manifest.warnings,
    reused,
  };
}
