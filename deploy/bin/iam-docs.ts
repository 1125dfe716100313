import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatPolicyDocument, iamPolicyDocuments } from '../src/iam/policy-documents.js';
import { queueSendersMarkdown } from '../src/queue-senders.js';

/**
 * Writes docs/iam/*.json from the policy statements the stacks attach (deploy/src/iam), and
 * docs/iam/queue-senders.md from the queue sender table (deploy/src/queue-senders.ts):
 * `pnpm docs:iam` from the repository root. Removes policy files nothing generates any more, so the
 * folder mirrors deploy exactly; deploy/test/iam-docs.test.ts fails until this has been run.
 */
const outDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'iam');
const documents = iamPolicyDocuments();
for (const file of readdirSync(outDir)) {
  if (file.endsWith('.json') && !(file in documents)) rmSync(join(outDir, file));
}
for (const [file, document] of Object.entries(documents)) {
  writeFileSync(join(outDir, file), formatPolicyDocument(document));
}
writeFileSync(join(outDir, 'queue-senders.md'), queueSendersMarkdown());
process.stdout.write(
  `wrote ${Object.keys(documents).length} policies and the queue sender table to ${outDir}\n`,
);
