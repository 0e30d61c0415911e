import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderMarkdown } from './markdown.ts';

test('lesson Markdown renders code and emphasis, and never raw HTML or script links', () => {
  const html = renderMarkdown('Call `bpf_printk` **once**.\n\n```c\nint x;\n```\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1))');
  assert.match(html, /<code>bpf_printk<\/code>/);
  assert.match(html, /<strong>once<\/strong>/);
  assert.match(html, /<pre><code class="language-c">int x;/);
  assert.ok(!html.includes('<script>'));
  assert.ok(!html.includes('href="javascript:'));
});
