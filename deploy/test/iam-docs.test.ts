import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatPolicyDocument, iamPolicyDocuments } from '../src/iam/policy-documents.js';
import { queueSendersMarkdown } from '../src/queue-senders.js';
import { repoRoot } from './build.js';

const docsDir = join(repoRoot, 'docs', 'iam');

describe('docs/iam', () => {
  it('is exactly what deploy/src/iam generates (run `pnpm docs:iam` after changing a policy)', () => {
    // Prepare
    const committed = Object.fromEntries(
      readdirSync(docsDir)
        .filter((file) => file.endsWith('.json'))
        .map((file) => [file, readFileSync(join(docsDir, file), 'utf8')]),
    );
    // Act
    const generated = Object.fromEntries(
      Object.entries(iamPolicyDocuments()).map(([file, document]) => [file, formatPolicyDocument(document)]),
    );
    // Assess
    expect(Object.keys(committed).sort()).toEqual(Object.keys(generated).sort());
    for (const [file, text] of Object.entries(generated)) expect(committed[file], file).toBe(text);
  });

  it('shows the queue sender table the stack enforces (run `pnpm docs:iam` after changing it)', () => {
    // Prepare
    const committed = readFileSync(join(docsDir, 'queue-senders.md'), 'utf8');
    // Act
    const generated = queueSendersMarkdown();
    // Assess
    expect(committed).toBe(generated);
    expect(generated).toContain('| `<prefix>-coordinator` | isolator task role | step results |');
  });

  it('renders deployment values as placeholders, never as CDK tokens', () => {
    // Prepare / Act
    const text = JSON.stringify(iamPolicyDocuments());
    // Assess
    expect(text).not.toMatch(/\$\{Token\[|\$\{AWS::/);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a docs/iam placeholder, not a template
    expect(text).toContain('arn:aws:s3:::${EvidenceBucket}/incidents/*');
    expect(Object.keys(iamPolicyDocuments())).toEqual(
      expect.arrayContaining([
        'isolator-policy.json',
        'forensics-policy.json',
        'coordinator-report-policy.json',
      ]),
    );
  });
});
