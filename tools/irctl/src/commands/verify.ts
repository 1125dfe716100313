import { verifyEvidence } from '@ir/evidence';
import { positional, stringOption } from '../args.js';
import { awsFailure } from '../aws.js';
import type { CommandSpec } from '../command.js';
import { requireBucket, requireSigningKey } from '../config.js';
import { ExitCode } from '../errors.js';
import { renderTable } from '../format/table.js';
import { toJson } from '../format/text.js';

/**
 * `irctl verify <id> [--signing-key key]`: re-reads every sealed artifact of an incident from the
 * evidence bucket, re-hashes it here, checks the manifest chain and every manifest's KMS signature
 * (the forensics verifier). Exit 1 when anything is wrong.
 */
export const verifyCommand: CommandSpec = {
  name: 'verify',
  summary: "verify an incident's evidence: manifest chain and signatures, every artifact's SHA-256",
  positionals: ['<id>'],
  options: {
    'signing-key': {
      type: 'string',
      valueName: '<key>',
      help: 'KMS key (id, ARN or alias) manifests must be signed with (default IR_EVIDENCE_SIGNING_KEY)',
    },
  },
  details: [
    'Reads IR_EVIDENCE_BUCKET with your AWS credentials (read-only) and checks each manifest signature',
    'with kms:Verify. Exit 0 only when every manifest links and is signed with the signing key and every',
    'artifact hashes as sealed; 1 when anything is missing, unsigned, altered or overwritten.',
  ],
  async run(args, context) {
    const incidentId = positional(args, 0);
    const bucket = requireBucket(context.config);
    const keyId = requireSigningKey(context.config, stringOption(args, 'signing-key'));
    let report: Awaited<ReturnType<typeof verifyEvidence>>;
    try {
      report = await verifyEvidence({
        s3: context.aws.s3(),
        bucket,
        incidentId,
        signing: { kms: context.aws.kms(), keyId },
      });
    } catch (error: unknown) {
      throw awsFailure(error, `reading the evidence of ${incidentId} in s3://${bucket}`);
    }
    const code = report.ok ? ExitCode.ok : ExitCode.failed;
    if (args.values.json === true) {
      context.out(toJson(report));
      return code;
    }
    context.out(
      `evidence of ${incidentId} in s3://${bucket}: ${report.ok ? 'VERIFIED' : 'PROBLEMS FOUND'} (${report.manifests.length} manifest(s), ${report.artifacts.length} artifact(s))`,
    );
    if (report.manifests.length > 0) {
      context.out(
        renderTable(
          [
            { heading: 'SEQ' },
            { heading: 'MANIFEST', max: 90 },
            { heading: 'CHAIN' },
            { heading: 'SIGNATURE' },
            { heading: 'REASON', max: 90 },
          ],
          report.manifests.map((m) => [m.sequence, m.key, m.status, m.signature ?? '', m.reason ?? '']),
        ),
      );
    }
    if (report.artifacts.length > 0) {
      context.out('');
      context.out(
        renderTable(
          [
            { heading: 'ARTIFACT', max: 90 },
            { heading: 'STATUS' },
            { heading: 'SHA-256', max: 64 },
            { heading: 'LATER VERSION' },
          ],
          report.artifacts.map((a) => [
            a.key,
            a.status,
            a.actualSha256 ?? a.expectedSha256,
            a.latestDiffers ? (a.latestVersionId ?? 'yes') : '',
          ]),
        ),
      );
    }
    for (const problem of report.problems) context.out(`problem: ${problem}`);
    return code;
  },
};
