import { buildReport, escapeMarkdown, renderMarkdown, verificationNotConfigured } from '@ir/reporting';
import { describe, expect, it } from 'vitest';
import { ec2Incident, twoPersonIncident } from '../support/incident.js';

const options = { generatedAt: '2026-11-22T12:00:00.000Z', generatedBy: 'response-coordinator' };

/** The rows of the Markdown table that follows a heading. */
function tableAfter(markdown: string, heading: string): string[] {
  const lines = markdown.split('\n');
  const start = lines.indexOf(heading);
  const rows: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith('|')) rows.push(line);
    else if (rows.length > 0) break;
  }
  return rows;
}

/** Cells of a row, splitting on pipes that are not escaped. */
const cells = (row: string) => row.slice(1, -1).split(/(?<!\\)\|/);

describe('renderMarkdown', () => {
  it('renders every section, every step and the verification status', () => {
    // Prepare
    const report = buildReport(ec2Incident(), { ...options, verification: verificationNotConfigured() });

    // Act
    const markdown = renderMarkdown(report);

    // Assess
    for (const heading of [
      '## Summary',
      '## Findings',
      '## NIST SP 800-61 phases',
      '## Steps',
      '## Approvals',
      '## Pre-state and rollback',
      '## Evidence',
      '## Timeline',
    ]) {
      expect(markdown).toContain(heading);
    }
    const steps = tableAfter(markdown, '## Steps');
    expect(steps).toHaveLength(2 + report.steps.length);
    expect(markdown).toContain('Verification: **not-configured**');
    expect(markdown).toContain('approved by alice: confirmed C&amp;C traffic');
    expect(markdown).toContain('| Time to isolate (MTTI) | 20.0 s |');
    expect(markdown).toContain('| Time to evidence (MTTE) | 90.0 s |');
    expect(markdown).toContain('| Disposition | not decided |');
  });

  it('shows who requested and who approved, with issuer and subject', () => {
    // Prepare
    const report = buildReport(twoPersonIncident(), options);

    // Act
    const markdown = renderMarkdown(report);

    // Assess
    const bob = 'Bob Approver <bob@example.test> (https://idp.example.test, op-bob)';
    const alice = 'Alice Approver <alice@example.test> (https://idp.example.test, op-alice)';
    const rita = 'Rita Responder <rita@example.test> (https://idp.example.test, op-rita)';
    const block = tableAfter(markdown, '## Steps').find((row) => cells(row)[1]?.trim() === 'block');
    expect(block).toContain(escapeMarkdown(`approved by ${bob}, requested by ${alice}`));
    const approvals = tableAfter(markdown, '## Approvals');
    expect(approvals.find((row) => row.includes('rollback:block'))).toContain(
      `| ${escapeMarkdown(bob)} | ${escapeMarkdown(rita)} |`,
    );
    expect(markdown).toContain(`Rollback requested by ${escapeMarkdown(rita)}`);
    expect(markdown).toContain(`approved by ${escapeMarkdown(bob)}.`);
    expect(markdown).toContain(escapeMarkdown(`by ${alice}`));
    expect(markdown).toContain(
      `| Disposition | ${escapeMarkdown(`false-positive (reconnaissance), decided by ${alice}`)} |`,
    );
  });

  it('keeps attacker-controlled finding titles inside their cell, as text', () => {
    // Prepare
    const input = ec2Incident();
    const hostile =
      'pwn | injected | cells\n| --- |\n<script>alert(1)</script> [click](javascript:alert(1)) ![x](http://evil/x.png) **bold** `code`';
    const finding = input.incident.findings[0];
    if (!finding) throw new Error('fixture has a finding');
    const report = buildReport(
      { ...input, incident: { ...input.incident, findings: [{ ...finding, title: hostile }] } },
      options,
    );

    // Act
    const markdown = renderMarkdown(report);

    // Assess
    const rows = tableAfter(markdown, '## Findings');
    expect(rows).toHaveLength(3);
    const header = rows[0] ?? '';
    const row = rows[2] ?? '';
    expect(cells(row)).toHaveLength(cells(header).length);
    expect(markdown).not.toContain('<script>');
    expect(markdown).not.toMatch(/(?<!\\)\]\(javascript:/);
    expect(markdown).not.toContain('![x](');
    expect(markdown).not.toContain('http://evil');
    expect(row).toContain('&lt;script&gt;');
    expect(row).toContain('\\*\\*bold\\*\\*');
  });

  it('says when the timeline was truncated', () => {
    // Prepare
    const report = {
      ...buildReport(ec2Incident(), options),
      timelineTruncated: { omitted: 5, reason: 'too large' },
    };

    // Act
    const markdown = renderMarkdown(report);

    // Assess
    expect(markdown).toContain('Truncated: too large (5 entries omitted).');
  });
});

describe('escapeMarkdown', () => {
  it.each([
    ['a|b', 'a\\|b'],
    ['line\nbreak\r\nand\ttab', 'line break and tab'],
    ['<img src=x onerror=alert(1)>', '&lt;img src=x onerror=alert(1)&gt;'],
    ['# heading', '\\# heading'],
    ['- item', '\\- item'],
    ['1. first', '1\\. first'],
    ['see https://evil.example', 'see https:\\/\\/evil.example'],
    ['visit www.evil.example', 'visit www\\.evil.example'],
    [
      'back\\slash `tick` _under_ ~strike~ [link]',
      'back\\\\slash \\`tick\\` \\_under\\_ \\~strike\\~ \\[link\\]',
    ],
    ['right\u202Eto-left\u0007bell', 'rightto-leftbell'],
  ])('escapes %j', (input, expected) => {
    // Prepare: the table row.
    // Act
    const escaped = escapeMarkdown(input);

    // Assess
    expect(escaped).toBe(expected);
  });
});
