import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSuppressionRules, parseSuppressionRules } from '../../src/suppression/rules-file.js';

describe('parseSuppressionRules', () => {
  it('accepts every match kind, single values as lists, and a date-only expiry at 00:00 UTC', () => {
    // Prepare
    const text = `
rules:
  - name: everything
    reason: test
    expiresAt: 2030-06-01
    match:
      findingTypes: "Recon:*"
      severityBelow: HIGH
      accounts: "111122223333"
      regions: [eu-west-1]
      resourceTags: { Env: sandbox }
      remoteIpCidrs: [10.0.0.0/8, 192.0.2.1, "2001:db8::/32"]
      principalArns: ["arn:aws:iam::*:role/ci-*"]
`;
    // Act
    const [rule] = parseSuppressionRules(text, 'inline');
    // Assess
    expect(rule).toEqual({
      name: 'everything',
      reason: 'test',
      expiresAt: '2030-06-01T00:00:00.000Z',
      match: {
        findingTypes: ['Recon:*'],
        severityBelow: 'HIGH',
        accounts: ['111122223333'],
        regions: ['eu-west-1'],
        resourceTags: { Env: 'sandbox' },
        remoteIpCidrs: ['10.0.0.0/8', '192.0.2.1', '2001:db8::/32'],
        principalArns: ['arn:aws:iam::*:role/ci-*'],
      },
    });
  });

  it('names the rule and the field of an invalid value', () => {
    // Prepare
    const text = `
rules:
  - name: scanners
    reason: weekly scan
    match:
      remoteIpCidrs: [10.0.0.0/8, 10.0.0.0/33]
`;
    // Act
    const attempt = () => parseSuppressionRules(text, '/etc/ir/suppressions.yaml');
    // Assess
    expect(attempt).toThrow(
      'IR_SUPPRESSIONS_FILE /etc/ir/suppressions.yaml: rule "scanners" (rules[0]) match.remoteIpCidrs[1]: not an IP address or CIDR block (e.g. 10.20.0.0/16)',
    );
  });

  it('refuses a misspelt criterion, a rule without criteria and a missing reason, naming each rule', () => {
    // Prepare
    const text = `
rules:
  - name: typo
    reason: r
    match: { regoins: [eu-west-1] }
  - name: empty
    reason: r
    match: {}
  - name: no-reason
    match: { regions: [eu-west-1] }
`;
    // Act
    let message = '';
    try {
      parseSuppressionRules(text, 'f.yaml');
    } catch (error: unknown) {
      message = error instanceof Error ? error.message : String(error);
    }
    // Assess
    expect(message).toContain('rule "typo" (rules[0]) match: Unrecognized key: "regoins"');
    expect(message).toContain('rule "empty" (rules[1]) match: needs at least one criterion');
    expect(message).toContain('rule "no-reason" (rules[2]) reason:');
  });

  it('refuses two rules with the same name (it is the metric label)', () => {
    // Prepare
    const text = `
rules:
  - { name: dup, reason: r, match: { regions: [eu-west-1] } }
  - { name: dup, reason: r, match: { accounts: ["111122223333"] } }
`;
    // Act
    const attempt = () => parseSuppressionRules(text, 'f.yaml');
    // Assess
    expect(attempt).toThrow(
      'IR_SUPPRESSIONS_FILE f.yaml: rule "dup" (rules[1]) name: is used by an earlier rule',
    );
  });

  it('reports YAML that does not parse', () => {
    // Prepare
    const text = 'rules: [ { name: a';
    // Act
    const attempt = () => parseSuppressionRules(text, 'bad.yaml');
    // Assess
    expect(attempt).toThrow(
      expect.objectContaining({
        name: 'SuppressionRulesError',
        message: expect.stringContaining('not valid YAML'),
      }),
    );
  });
});

describe('loadSuppressionRules', () => {
  it('fails on a file that cannot be read instead of running without rules', async () => {
    // Prepare
    const missing = join(await mkdtemp(join(tmpdir(), 'ir-rules-')), 'absent.yaml');
    // Act
    const attempt = loadSuppressionRules(missing);
    // Assess
    await expect(attempt).rejects.toThrow(/IR_SUPPRESSIONS_FILE .*absent\.yaml: cannot be read/);
  });

  it('reads an empty rule list from a file', async () => {
    // Prepare
    const file = join(await mkdtemp(join(tmpdir(), 'ir-rules-')), 'rules.yaml');
    await writeFile(file, 'rules: []\n');
    // Act
    const rules = await loadSuppressionRules(file);
    // Assess
    expect(rules).toEqual([]);
  });
});
