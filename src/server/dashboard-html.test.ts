import { describe, expect, it } from 'vitest';
import { escapeHtml, html } from './dashboard-html.js';

describe('html', () => {
  it('escapes every interpolated string, in text and in attributes', () => {
    const name = `<script>alert("x")</script>&'`;
    expect(html`<td title="${name}">${name}</td>`.text).toBe('<td title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;</td>');
  });

  it('keeps nested Html as it is, escapes arrays item by item, drops empty values', () => {
    const rows = ['<a>', 'b'].map((x) => html`<li>${x}</li>`);
    expect(html`<ul>${rows}${undefined}${false}${null}${3}</ul>`.text).toBe('<ul><li>&lt;a&gt;</li><li>b</li>3</ul>');
  });

  it('escapeHtml leaves plain text alone', () => {
    expect(escapeHtml('web.example.com 30 days')).toBe('web.example.com 30 days');
  });
});
