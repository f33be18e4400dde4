import { it } from 'vitest';
import { loadCassettes } from '/work/main/test/support/cassette.js';
it('dump', () => {
  const p = process.env.P!;
  const seen = new Map<string, string>();
  for (const i of loadCassettes(p)) {
    const k = `${i.method} ${i.url.pathname.replace(/[0-9a-f]{32}/g, '{id}')} ?${[...i.url.searchParams.keys()].join('&')} -> ${i.status}`;
    if (!seen.has(k)) seen.set(k, `${i.requestBody.slice(0, 150)} => ${i.responseBody.slice(0, 300)}`);
  }
  for (const [k, v] of seen) console.log(k, '\n    ', v.replace(/\n/g, ' '));
});
