import { describe, expect, it } from 'vitest';
import { renderTable } from '../../src/format/table.js';
import { compact, printable, truncate } from '../../src/format/text.js';

describe('renderTable', () => {
  it('aligns columns under their headings with two spaces and no trailing spaces', () => {
    // Prepare
    const columns = [{ heading: 'ID' }, { heading: 'STATUS' }, { heading: 'NOTE' }];
    // Act
    const table = renderTable(columns, [
      ['inc-1', 'open', ''],
      ['incident-22', 'resolved', 'done'],
    ]);
    // Assess
    expect(table.split('\n')).toEqual([
      'ID           STATUS    NOTE',
      'inc-1        open',
      'incident-22  resolved  done',
    ]);
  });

  it('cuts cells to the column maximum with an ellipsis', () => {
    // Prepare
    const columns = [{ heading: 'X', max: 5 }];
    // Act
    const table = renderTable(columns, [['abcdefghij']]);
    // Assess
    expect(table.split('\n')[1]).toBe('abcd…');
  });

  it('shows control characters from untrusted text as escapes, so a finding cannot drive the terminal', () => {
    // Prepare
    const hostile = 'web\u001b[2J\u001b]0;owned\u0007\nsecond line\u202e';
    // Act
    const table = renderTable([{ heading: 'NAME', max: 200 }], [[hostile]]);
    // Assess
    const lines = table.split('\n');
    expect(lines).toHaveLength(2);
    const unprintable = [...lines.join('')].filter((char) => char.charCodeAt(0) < 0x20 || char === '\u202e');
    expect(unprintable).toEqual([]);
    expect(lines[1]).toContain('web\\u001b[2J');
  });
});

describe('text helpers', () => {
  it('printable renders undefined and null as empty and numbers as text', () => {
    // Prepare
    const values = [undefined, null, 42, 'ok'];
    // Act
    const rendered = values.map(printable);
    // Assess
    expect(rendered).toEqual(['', '', '42', 'ok']);
  });

  it('compact writes objects as key=value pairs, cut to the maximum', () => {
    // Prepare
    const detail = { groupId: 'sg-1', enis: ['eni-1', 'eni-2'] };
    // Act
    const line = compact(detail);
    const short = compact(detail, 10);
    // Assess
    expect(line).toBe('groupId=sg-1 enis=["eni-1","eni-2"]');
    expect(short).toBe(truncate(line, 10));
    expect(short).toHaveLength(10);
  });
});
