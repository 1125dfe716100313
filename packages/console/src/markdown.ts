import MarkdownIt from 'markdown-it';

/**
 * The report's Markdown renderer. Why its output may be put into the page as HTML:
 * - `html: false`: raw HTML in the Markdown (a finding title such as `<script>`) is escaped as text,
 *   never passed through;
 * - markdown-it's `validateLink` refuses `javascript:`, `vbscript:`, `file:` and `data:` URLs in links
 *   (they are rendered as text), and images are switched off altogether (no remote fetches, no data:);
 * - every attribute value markdown-it writes is escaped, and none is a `style` (see below).
 * Links get `rel="noopener noreferrer"` so that a link in a report cannot reach back into the console.
 */
const md = new MarkdownIt({ html: false, linkify: false, typographer: false });
md.disable('image');

/** Headings in the report start at `<h3>`: the page has its own `<h1>` and the "Report" `<h2>`. */
const HEADING_OFFSET = 2;
md.core.ruler.push('ir_heading_offset', (state) => {
  for (const token of state.tokens) {
    if (token.type === 'heading_open' || token.type === 'heading_close') {
      const level = Number(token.tag.slice(1));
      token.tag = `h${Math.min(6, level + HEADING_OFFSET)}`;
    }
  }
});

/**
 * Aligned table columns become classes, not `style` attributes: the console's CSP (`style-src 'self'`)
 * refuses inline styles, and the browser would report each one as a violation.
 */
md.core.ruler.push('ir_alignment_classes', (state) => {
  for (const token of state.tokens) {
    if (token.type !== 'th_open' && token.type !== 'td_open') continue;
    const style = token.attrGet('style');
    if (style === null) continue;
    token.attrs = (token.attrs ?? []).filter(([name]) => name !== 'style');
    const align = /text-align:(left|center|right)/.exec(String(style))?.[1];
    if (align) token.attrJoin('class', `align-${align}`);
  }
});

const defaultLinkOpen = md.renderer.rules.link_open;
md.renderer.rules.link_open = (tokens, index, options, env, self) => {
  tokens[index]?.attrSet('rel', 'noopener noreferrer');
  return defaultLinkOpen
    ? defaultLinkOpen(tokens, index, options, env, self)
    : self.renderToken(tokens, index, options);
};

/** The HTML of a Markdown document, safe to insert (see above). */
export function renderMarkdown(markdown: string): string {
  return md.render(markdown);
}
