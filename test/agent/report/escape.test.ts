// Untrusted text in the report: HTML escaping, JSON that cannot end its <script>, and learnings.md
// rendered without raw HTML, script links or network images.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeHtml, scriptJson } from '../../../agent/report/escape.ts';
import { renderMarkdown } from '../../../agent/report/markdown.ts';

test('escapeHtml escapes the five HTML-significant characters', () => {
  assert.equal(escapeHtml(`<a href="x" onclick='y'>&</a>`), '&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
});

test('scriptJson never contains "<", ">" or "&" and parses back to the same value', () => {
  const value = { h: '</script><script>alert(1)</script><!-- & \u2028', n: [1.5, null] };
  const json = scriptJson(value);
  assert.doesNotMatch(json, /[<>&\u2028\u2029]/);
  assert.deepEqual(JSON.parse(json), value);
});

test('renderMarkdown shows raw HTML as text, unlinks script URLs and turns images into text', () => {
  assert.equal(renderMarkdown('<script>alert(1)</script>\n'), '&lt;script&gt;alert(1)&lt;/script&gt;\n');
  assert.equal(renderMarkdown('a <b onmouseover="x">b</b>\n'), '<p>a &lt;b onmouseover=&quot;x&quot;&gt;b&lt;/b&gt;</p>\n');
  assert.equal(renderMarkdown('[x](javascript:alert(1)) [y](https://numer.ai "t")\n'),
    '<p>x <a href="https://numer.ai" title="t" rel="noopener noreferrer">y</a></p>\n');
  assert.equal(renderMarkdown('![chart](http://example.com/c.png)\n'), '<p><span class="image-ref">[image: chart]</span></p>\n');
  assert.equal(renderMarkdown('## What worked\n\n- exp 2 · **+0.1**\n'), '<h2>What worked</h2>\n<ul>\n<li>exp 2 · <strong>+0.1</strong></li>\n</ul>\n');
});
