// learnings.md rendered at build time. An LLM writes it, so it is untrusted: raw HTML is shown as
// text, links keep only http(s)/mailto/fragment targets, and images become text, because the report
// must open without any network request.
import { Marked, type Tokens } from 'marked';
import { escapeHtml } from './escape.ts';

const SAFE_HREF = /^(https?:|mailto:|#)/i;

const marked = new Marked({
  gfm: true,
  async: false,
  renderer: {
    html({ text }: Tokens.HTML | Tokens.Tag): string {
      return escapeHtml(text);
    },
    link(this: { parser: { parseInline(tokens: Tokens.Generic[]): string } }, { href, title, tokens }: Tokens.Link): string {
      const inner = this.parser.parseInline(tokens);
      if (!SAFE_HREF.test(href.trim())) return inner;
      return `<a href="${escapeHtml(href)}"${title ? ` title="${escapeHtml(title)}"` : ''} rel="noopener noreferrer">${inner}</a>`;
    },
    image({ href, text }: Tokens.Image): string {
      return `<span class="image-ref">[image: ${escapeHtml(text || href)}]</span>`;
    },
  },
});

/** Markdown to HTML with raw HTML escaped, unsafe links unlinked and images as text. */
export function renderMarkdown(text: string): string {
  return marked.parse(text, { async: false }) as string;
}
