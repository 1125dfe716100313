import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../src/markdown.js';

describe('renderMarkdown', () => {
  it('escapes raw HTML, such as a finding title holding a script element', () => {
    const html = renderMarkdown(
      '# Incident\n\nFinding: <script>alert(1)</script> <img src=x onerror=alert(2)>\n',
    );

    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror=alert(2)&gt;');
  });

  it('refuses javascript:, vbscript: and data: links and renders them as text', () => {
    const html = renderMarkdown(
      '[a](javascript:alert(1)) [b](JaVaScRiPt:alert(1)) [c](vbscript:msgbox) [d](data:text/html;base64,PHNjcmlwdD4=)',
    );

    expect(html).not.toMatch(/href="(javascript|vbscript|data):/i);
    expect(html).not.toContain('<a ');
    expect(html).toContain('[a](javascript:alert(1))');
  });

  it('keeps https links, with rel="noopener noreferrer"', () => {
    const html = renderMarkdown('[runbook](https://example.test/runbook)');

    expect(html).toContain('<a href="https://example.test/runbook" rel="noopener noreferrer">runbook</a>');
  });

  it('renders no images (no remote fetches from a report)', () => {
    const html = renderMarkdown('![pixel](https://tracker.example.test/p.png)');

    expect(html).not.toContain('<img');
  });

  it('writes aligned table columns as classes, never as style attributes (the CSP refuses inline styles)', () => {
    const html = renderMarkdown('| a | b |\n| :-: | --: |\n| 1 | 2 |\n');

    expect(html).not.toContain('style=');
    expect(html).toContain('<th class="align-center">a</th>');
    expect(html).toContain('<td class="align-right">2</td>');
  });

  it('starts headings at h3, below the page heading and the Report section heading', () => {
    const html = renderMarkdown('# Report\n\n## Steps\n\n###### Deep\n');

    expect(html).toContain('<h3>Report</h3>');
    expect(html).toContain('<h4>Steps</h4>');
    expect(html).toContain('<h6>Deep</h6>');
  });
});
