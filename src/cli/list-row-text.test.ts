import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PageReader, rowText, rowView, type RowView, type WorkerRow } from './list-row-text.js';

/** What a RowView says of a row (a shown row compared with `domains` and `keyType`). */
const seen = (r: RowView, domains = '', keyType = '') => ({
  kind: r.kind, name: r.name,
  ...(r.kind === 'shown' ? { stored: r.stored(domains, keyType), cells: [0, 1, 2, 3, 4].map((k) => r.cell(k)), forcedNext: r.forcedNext() } : {}),
});

function readAll(text: string, compareWith: (i: number) => [string, string]) {
  const out = [];
  let i = 0;
  for (const r = new PageReader(text); r.next(); i++) out.push(seen(r, ...compareWith(i)));
  return out;
}

const name = fc.stringMatching(/^[a-z0-9][a-z0-9.-]{0,20}$/);
/** A cell certfleet formats (a time, a number, `now`, `-`). */
const formatted = fc.stringMatching(/^[0-9a-z :-]{0,16}$/);
/** Text from the store (domains, key type, an error, a deploy's description): anything, separators included. */
const stored = fc.oneof(fc.string(), fc.constantFrom('', '\u001e', '\u001f', 'a\u001fb', 'x\u001e'));
const row: fc.Arbitrary<WorkerRow> = fc.oneof(
  fc.record({
    kind: fc.constant('shown' as const), name, domains: stored, keyType: stored,
    cells: fc.tuple(formatted, formatted, formatted, stored, stored), forcedNext: fc.option(formatted.filter((s) => s !== ''), { nil: undefined }),
  }),
  fc.record({ kind: fc.constant('hidden' as const), name }),
  fc.record({ kind: fc.constant('unsure' as const), name }),
);
// eslint-disable-next-line no-control-regex
const SEPARATOR = /[\u001e\u001f]/;

describe('list worker rows as text', () => {
  it('reads back every row as written, and a row whose store text holds a separator as unsure', () => {
    fc.assert(fc.property(fc.array(row, { maxLength: 20 }), (rows) => {
      const expected = rows.map((r) => (r.kind === 'shown' && [r.domains, r.keyType, r.cells[3]!, r.cells[4]!].some((t) => SEPARATOR.test(t)) ? { kind: 'unsure' as const, name: r.name } : r));
      const compareWith = (i: number): [string, string] => { const r = rows[i]!; return r.kind === 'shown' ? [r.domains, r.keyType] : ['', '']; };
      const got = readAll(rows.map(rowText).join(''), compareWith);
      expect(got).toEqual(expected.map((r, i) => seen(rowView(r), ...compareWith(i))));
      // A shown row read back is its stored self.
      for (const g of got) if (g.kind === 'shown') expect(g.stored).toBe(true);
    }), { numRuns: 1_000 });
  });

  it('compares the stored domains and key type exactly', () => {
    const text = rowText({ kind: 'shown', name: 'a', domains: 'a.test,www.a.test', keyType: 'rsa2048', cells: ['1', '2', '3', '4', '5'], forcedNext: undefined });
    expect(readAll(text, () => ['a.test,www.a.test', 'rsa2048'])[0]).toEqual({ kind: 'shown', name: 'a', stored: true, cells: ['1', '2', '3', '4', '5'], forcedNext: undefined });
    for (const pair of [['a.test', 'rsa2048'], ['a.test,www.a.test,', 'rsa2048'], ['a.test,www.a.test', 'rsa'], ['', '']] as [string, string][]) {
      expect(readAll(text, () => pair)[0]!.stored).toBe(false);
    }
  });

  it('leaves out a row whose name holds a separator (no config has such a name)', () => {
    expect(rowText({ kind: 'hidden', name: 'a\u001eb' })).toBe('');
    expect(rowText({ kind: 'shown', name: 'a\u001fb', domains: 'd', keyType: 'k', cells: ['', '', '', '', ''], forcedNext: undefined })).toBe('');
  });
});
