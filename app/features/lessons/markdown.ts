import MarkdownIt from 'markdown-it';

// Raw HTML off: a lesson's text is Markdown only, so nothing in it can run script in the page.
const markdown = new MarkdownIt({ html: false, linkify: true });

/** A lesson step's Markdown as HTML that is safe to set as inner HTML. */
export function renderMarkdown(text: string): string {
  return markdown.render(text);
}
