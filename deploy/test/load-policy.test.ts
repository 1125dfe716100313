import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ISOLATOR_FALLBACK_POLICY } from '../src/iam/isolator-policy.js';
import {
  loadPolicy,
  memberAccountStatements,
  PolicyFileError,
  resolvePlaceholders,
} from '../src/iam/load-policy.js';
import type { PolicyJson } from '../src/iam/policy-json.js';

const dir = mkdtempSync(join(tmpdir(), 'ir-policy-'));
const write = (name: string, content: string) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
const document: PolicyJson = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'Home',
      Effect: 'Allow',
      Action: 'sqs:SendMessage',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a docs/iam placeholder, not a template
      Resource: 'arn:aws:sqs:*:${SecurityAccountId}:ir-coordinator',
    },
    { Sid: 'Anywhere', Effect: 'Allow', Action: 'ec2:DescribeInstances', Resource: '*' },
    {
      Sid: 'Key',
      Effect: 'Allow',
      Action: 'kms:CreateGrant',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a docs/iam placeholder, not a template
      Resource: 'arn:aws:kms:*:*:key/${ForensicsKmsKeyId}',
    },
  ],
};

describe('loadPolicy', () => {
  it('uses the fallback only when the file does not exist', () => {
    // Prepare / Act
    const loaded = loadPolicy(join(dir, 'absent.json'), ISOLATOR_FALLBACK_POLICY);
    // Assess
    expect(loaded.source).toBe('fallback');
    expect(loaded.json).toBe(ISOLATOR_FALLBACK_POLICY);
  });

  it('reads the reviewed file when it exists', () => {
    // Prepare
    const path = write('good.json', JSON.stringify(document));
    // Act
    const loaded = loadPolicy(path, ISOLATOR_FALLBACK_POLICY);
    // Assess
    expect(loaded.source).toBe(path);
    expect(loaded.json.Statement.map((statement) => statement.Sid)).toEqual(['Home', 'Anywhere', 'Key']);
  });

  it('stops on a file that is not JSON or grants nothing, instead of falling back', () => {
    // Prepare
    const broken = write('broken.json', '{ "Statement": [');
    const empty = write('empty.json', '{ "Version": "2012-10-17", "Statement": [] }');
    // Act / Assess
    expect(() => loadPolicy(broken, ISOLATOR_FALLBACK_POLICY)).toThrow(PolicyFileError);
    expect(() => loadPolicy(empty, ISOLATOR_FALLBACK_POLICY)).toThrow(/at least one Allow/);
  });
});

describe('resolvePlaceholders', () => {
  it('fills every placeholder and refuses one without a value', () => {
    // Prepare
    const values = { SecurityAccountId: '123456789012', ForensicsKmsKeyId: 'abcd' };
    // Act
    const resolved = resolvePlaceholders(document, values, { prefix: 'ir', source: 'test' });
    // Assess
    expect(JSON.stringify(resolved)).not.toContain('${');
    expect(resolved.Statement[0]?.Resource).toBe('arn:aws:sqs:*:123456789012:ir-coordinator');
    expect(() => resolvePlaceholders(document, {}, { prefix: 'ir', source: 'test' })).toThrow(
      /SecurityAccountId/,
    );
  });

  it('refuses hard-coded ir- names under another prefix', () => {
    // Prepare / Act / Assess
    expect(() =>
      resolvePlaceholders(
        document,
        { SecurityAccountId: '1', ForensicsKmsKeyId: 'k' },
        { prefix: 'sec', source: 'test' },
      ),
    ).toThrow(/prefix/);
  });
});

describe('memberAccountStatements', () => {
  it('drops statements about security-account resources', () => {
    // Prepare / Act
    const member = memberAccountStatements(document);
    // Assess
    expect(member.Statement.map((statement) => statement.Sid)).toEqual(['Anywhere', 'Key']);
  });
});
