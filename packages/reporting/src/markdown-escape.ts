/** Controls, and Unicode bidi overrides that make text read differently than it is stored. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point.
const INVISIBLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u202a-\u202e\u2066-\u2069]/g;
const LINE_BREAKS = /\r\n|[\r\n\t\u2028\u2029]/g;
const HTML: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };
/** Characters Markdown (CommonMark and GFM tables) gives a meaning to inside a line. */
const MARKDOWN_SPECIAL = /[\\`*_[\]|~]/g;
/** Characters that start a block (heading, list, numbered list) when they open a line. */
const BLOCK_START = /^(\s*)([#+-])|^(\s*\d+)([.)])(?=\s|$)/;

/**
 * Text safe to place inline in Markdown, and in a GFM table cell: HTML is shown as text, Markdown
 * syntax is escaped (no links, images, emphasis or code spans, no autolinked URLs), pipes cannot
 * split a cell, line breaks cannot end a row, and text cannot open a heading or a list. Why: finding titles and descriptions are written by whoever can produce
 * a finding, an attacker included, and the report is read in tools that render Markdown.
 */
export function escapeMarkdown(value: unknown): string {
  const text = typeof value === 'string' ? value : value === null || value === undefined ? '' : String(value);
  return text
    .replace(LINE_BREAKS, ' ')
    .replace(INVISIBLE, '')
    .replace(/[&<>"]/g, (char) => HTML[char] ?? char)
    .replace(MARKDOWN_SPECIAL, (char) => `\\${char}`)
    .replace(/:\/\//g, ':\\/\\/')
    .replace(/\bwww\./gi, (match) => `${match.slice(0, 3)}\\.`)
    .replace(BLOCK_START, (_match, space?: string, marker?: string, number?: string, dot?: string) =>
      marker !== undefined ? `${space ?? ''}\\${marker}` : `${number ?? ''}\\${dot ?? ''}`,
    );
}

/** A GFM table with every cell escaped. */
export function markdownTable(headings: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const line = (cells: readonly unknown[]) => `| ${cells.map(escapeMarkdown).join(' | ')} |`;
  return [line(headings), `|${headings.map(() => ' --- ').join('|')}|`, ...rows.map(line)].join('\n');
}
