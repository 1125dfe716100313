import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { IncidentReport } from '@ir/contracts';
import { renderMarkdown, verificationFrom } from '@ir/reporting';
import { verifyEvidence } from '@ir/evidence';
import { errorMessage, type StepHandler, succeeded } from '@ir/runtime';
import { z } from 'zod';
import type { StoredArtifact } from '../evidence/evidence-store.js';
import { EvidenceIntegrityError, StepRefusedError } from '../errors.js';
import { sealIncident } from './seal.js';
import type { ActionDeps } from './types.js';

/** File names of the report under the step's prefix. */
export const REPORT_FILES = { json: 'report.json', markdown: 'report.md' } as const;

const stored = (artifact: StoredArtifact) => ({
  key: artifact.key,
  versionId: artifact.versionId,
  sha256: artifact.sha256,
  retainUntil: artifact.retainUntil,
  reused: artifact.reused,
});

/** The report the command carries, checked against the full schema; unreadable is permanent. */
function reportOf(report: unknown, incidentId: string): IncidentReport {
  const parsed = IncidentReport.safeParse(report);
  if (!parsed.success) {
    throw new StepRefusedError(
      `the report in the command does not match report version 1: ${z.prettifyError(parsed.error)}`,
      'invalid-report',
    );
  }
  if (parsed.data.incident.incidentId !== incidentId) {
    throw new StepRefusedError(
      `the report is about incident ${parsed.data.incident.incidentId}, the command about ${incidentId}`,
      'invalid-report',
    );
  }
  return parsed.data;
}

/** The report an earlier run stored; one this service cannot read back is an integrity problem. */
function storedReport(key: string, body: string): IncidentReport {
  let parsed: ReturnType<typeof IncidentReport.safeParse>;
  try {
    parsed = IncidentReport.safeParse(JSON.parse(body));
  } catch (error: unknown) {
    throw new EvidenceIntegrityError(`${key} is not JSON: ${errorMessage(error)}`, { cause: error });
  }
  if (!parsed.success) {
    throw new EvidenceIntegrityError(`${key} is not a version 1 report: ${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}

/**
 * evidence.store-report: runs the evidence verifier, adds its result to the coordinator's report,
 * renders the Markdown, stores `report.json` and `report.md` through the evidence store (hashed, with
 * an S3 checksum, Object Lock, read back) and seals them in a new manifest chained to the previous
 * one; then verifies again and fails the step if the report or its manifest does not verify.
 * Idempotent per incident and step: a second run finds `report.json` and renders the Markdown from
 * what was stored, so the two files always agree, and the seal returns the manifest already written.
 */
export function storeReport(deps: ActionDeps): StepHandler<'evidence.store-report'> {
  return async (params, context) => {
    const { incidentId, stepId } = context;
    const carried = reportOf(params.report, incidentId);
    const s3 = await deps.aws.client(S3Client);
    const bucket = deps.store.bucket;
    const names = { incidentId, stepId };

    const signing = { kms: await deps.aws.client(KMSClient), keyId: deps.config.IR_EVIDENCE_SIGNING_KEY };
    const previous = await deps.store.read({ ...names, name: REPORT_FILES.json });
    let report: IncidentReport;
    if (previous) {
      report = storedReport(previous.artifact.key, previous.body);
    } else {
      const verification = await verifyEvidence({ s3, bucket, incidentId, signing });
      report = { ...carried, verification: verificationFrom(verification, deps.now().toISOString()) };
    }
    const json = previous ? previous.body : `${JSON.stringify(report, null, 2)}\n`;
    const markdown = renderMarkdown(report);
    const facts = {
      summary: report.summary.text,
      mttiSeconds: report.metrics.timeToIsolateSeconds,
      mtteSeconds: report.metrics.timeToEvidenceSeconds,
      verification: {
        status: report.verification.status,
        ok: report.verification.ok,
        problems: report.verification.problems.length,
      },
    };
    if (context.dryRun) {
      return succeeded({
        dryRun: true,
        ...facts,
        wouldWrite: [
          deps.store.keyOf({ ...names, name: REPORT_FILES.json }),
          deps.store.keyOf({ ...names, name: REPORT_FILES.markdown }),
          'a new manifest sealing them',
        ],
      });
    }

    const sourceAccount = await deps.aws.homeAccountId();
    const common = { ...names, action: context.action, sourceAccount };
    const jsonArtifact = previous
      ? previous.artifact
      : await deps.store.put({
          ...common,
          name: REPORT_FILES.json,
          body: json,
          contentType: 'application/json',
        });
    const markdownArtifact = await deps.store.put({
      ...common,
      name: REPORT_FILES.markdown,
      body: markdown,
      contentType: 'text/markdown; charset=utf-8',
    });
    const sealed = await sealIncident(deps, {
      incidentId,
      stepId,
      action: context.action,
      dryRun: false,
      logger: context.logger,
    });

    const after = await verifyEvidence({ s3, bucket, incidentId, signing });
    const ours = new Set([jsonArtifact.key, markdownArtifact.key]);
    const manifestKey = String((sealed.result.manifest as { key?: unknown } | undefined)?.key ?? '');
    const reportChecks = after.artifacts.filter((artifact) => ours.has(artifact.key));
    const problems = [
      ...reportChecks.filter((a) => a.status !== 'match').map((a) => `${a.key}: ${a.status}`),
      ...[...ours]
        .filter((key) => !reportChecks.some((a) => a.key === key))
        .map((key) => `${key}: in no manifest`),
      ...after.manifests
        .filter((m) => m.key === manifestKey && m.status !== 'ok')
        .map((m) => `${m.key}: ${m.reason}`),
    ];
    if (problems.length > 0) {
      throw new EvidenceIntegrityError(`the stored report does not verify: ${problems.join('; ')}`);
    }
    context.logger.info(
      { report: jsonArtifact.key, manifest: manifestKey, verification: report.verification.status },
      'report_stored',
    );
    return succeeded(
      {
        ...facts,
        report: { json: stored(jsonArtifact), markdown: stored(markdownArtifact) },
        manifest: sealed.result.manifest,
        reused: jsonArtifact.reused,
      },
      {
        verified: {
          afterSeal: {
            ok: after.ok,
            manifests: after.manifests.length,
            artifacts: after.artifacts.length,
            reportArtifacts: reportChecks.map((a) => ({
              key: a.key,
              status: a.status,
              sha256: a.actualSha256,
            })),
            ...(after.ok ? {} : { problems: after.problems.map((p) => p.slice(0, 300)) }),
          },
        },
      },
    );
  };
}
