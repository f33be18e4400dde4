import { describe, expect, it } from 'vitest';
import { MINIMAL_CONFIG } from '../../test/support/config-problems.js';
import { readPlainEntry } from './fast-certificate.js';
import { IncrementalConfigParser, splitCertificates, unchangedParts } from './incremental-config.js';
import { parseConfig } from './load-config.js';

const head = MINIMAL_CONFIG.slice(0, MINIMAL_CONFIG.indexOf('certificates:'));
const withEntries = (entries: string, tail = '') => `${head}certificates:\n${entries}${tail}`;

/** What parseConfig says, result or error message. */
function outcome(parse: () => unknown): unknown {
  try {
    return parse();
  } catch (err) {
    return { error: String(err) };
  }
}

const SHAPES = [
  '  - name: a\n    domains: [a.example.test, "*.a.example.test"]\n    dns: home\n',
  '  - domains:\n      - b.example.test\n    dns: home   # a comment\n    reuse_key: true\n    follow_cnames: False\n',
  '  # before\n  - name: c\n    domains: [c.example.test]\n    dns: {c.example.test: home}\n\n  - name: d\n    domains: [d.example.test]\n    dns: home\n    deploy:\n      - copy: {fullchain: out/d.pem, mode: "0640"}\n      - hook: [systemctl, reload, nginx]\n',
  '  - name: 1x\n    domains: ["1.example.test"]\n    dns: home\n    key_type: rsa-2048\n',
  // Across entries: an anchor and its alias, a merge key.
  '  - &e {name: e, domains: [e.example.test], dns: home}\n  - <<: *e\n    name: f\n',
  // Errors: located by parseConfig, whichever entry has them.
  '  - name: g\n    domains: [g.example.test]\n    dns: nowhere\n',
  '  - name: h\n    domains: [h.example.test]\n    dns: home\n  - name: h\n    domains: [h2.example.test]\n    dns: home\n',
  '  - name: i\n    domains: [i.example.test]\n    dns: home\n    colour: blue\n',
  '  - name: j\n    domains: [j.example.test]\n    dns: home\n    name: k\n',
  '  - name: l\n    domains: [${CERTFLEET_DOMAIN}]\n    dns: home\n',
  '- name: m\n  domains: [m.example.test]\n  dns: home\n',
  // A key that an assignment would take for the prototype: an unknown key to yaml and zod.
  '  - name: p\n    domains: [p.example.test]\n    dns: home\n    __proto__: [x.example.test]\n',
  '  - name: q\n    domains: [q.example.test]\n    dns: home\n    __proto__: x\n',
];

describe('IncrementalConfigParser', () => {
  for (const [i, entries] of SHAPES.entries()) {
    it(`gives parseConfig's result or error for shape ${i}, on a first parse and after an edit`, () => {
      const env = { CERTFLEET_DOMAIN: 'l.example.test' };
      const text = withEntries(entries, 'scheduler:\n  concurrency: 3\n');
      const parser = new IncrementalConfigParser();
      expect(outcome(() => parser.parse(text, 'c.yaml', { env }))).toEqual(outcome(() => parseConfig(text, 'c.yaml', { env })));
      const edited = withEntries(`${entries}  - name: zz\n    domains: [zz.example.test]\n    dns: home\n`, 'scheduler:\n  concurrency: 4\n');
      expect(outcome(() => parser.parse(edited, 'c.yaml', { env }))).toEqual(outcome(() => parseConfig(edited, 'c.yaml', { env })));
    });
  }

  it('hands over the other sections and the entry count before it reads the entries', () => {
    const entry = (n: string) => `  - name: ${n}\n    domains: [${n}.example.test]\n    dns: home\n`;
    const seen: [string, number, number][] = [];
    const text = withEntries(entry('a') + entry('b'), 'scheduler:\n  concurrency: 3\n');
    const config = new IncrementalConfigParser().parse(text, 'c.yaml', { onSections: (sections, n) => seen.push([sections.store.path, sections.certificates.length, n]) });
    expect(seen).toEqual([[config.store.path, 0, 2]]);
    // A list the entries cannot be cut from (flow style): not called.
    const whole = `${head}certificates: [{name: e, domains: [e.example.test], dns: home}]\n`;
    new IncrementalConfigParser().parse(whole, 'c.yaml', { onSections: () => seen.push(['whole', 0, 0]) });
    expect(seen).toHaveLength(1);
  });

  it('reuses the result of every entry whose text did not change, and parses the changed one', () => {
    const entry = (n: string, dns = 'home') => `  - name: ${n}\n    domains: [${n}.example.test]\n    dns: ${dns}\n`;
    const parser = new IncrementalConfigParser();
    const first = parser.parse(withEntries(entry('a') + entry('b') + entry('c')), 'c.yaml');
    const second = parser.parse(withEntries(`${entry('a')}\n${entry('b', '{b.example.test: home}')}${entry('c')}`), 'c.yaml');
    expect(second.certificates[0]).toBe(first.certificates[0]);
    expect(second.certificates[2]).toBe(first.certificates[2]);
    expect(second.certificates[1]).not.toBe(first.certificates[1]);
    expect(second.certificates[1]?.dns).toEqual({ 'b.example.test': 'home' });
  });

  it('after an edit in the middle, reuses every entry before and after it, and checks names and providers as parseConfig does', () => {
    const entry = (n: string, dns = 'home') => `  - name: ${n}\n    domains: [${n}.example.test]\n    dns: ${dns}\n`;
    const names = Array.from({ length: 40 }, (_, i) => `n${i}`);
    const parser = new IncrementalConfigParser();
    const first = parser.parse(withEntries(names.map((n) => entry(n)).join('')), 'c.yaml');
    const edited = withEntries(names.map((n) => (n === 'n20' ? entry('m20') + entry('extra') : entry(n))).join(''));
    const second = parser.parse(edited, 'c.yaml');
    expect(second).toEqual(parseConfig(edited, 'c.yaml'));
    second.certificates.forEach((c, i) => {
      if (c.name === 'm20' || c.name === 'extra') expect(first.certificates).not.toContain(c);
      else expect(c).toBe(first.certificates[i > 20 ? i - 1 : i]);
    });
    // A new entry taking a name that an unchanged one has; a removed provider an unchanged one uses.
    for (const bad of [withEntries(names.map((n) => (n === 'n30' ? entry('n3') : entry(n))).join('')), edited.replace('    home:\n', '    homes:\n')]) {
      parser.parse(edited, 'c.yaml'); // a good parse to edit from (a failed one leaves nothing to reuse)
      expect(outcome(() => parser.parse(bad, 'c.yaml'))).toEqual(outcome(() => parseConfig(bad, 'c.yaml')));
      expect(outcome(() => parser.parse(bad, 'c.yaml'))).toHaveProperty('error');
    }
    // The name of a removed entry is free again.
    const renamed = withEntries(names.map((n) => (n === 'n5' ? entry('n6') : n === 'n6' ? '' : entry(n))).join(''));
    parser.parse(edited, 'c.yaml');
    expect(parser.parse(renamed, 'c.yaml')).toEqual(parseConfig(renamed, 'c.yaml'));
  });

  it('an invalid edit is reported as parseConfig locates it, and the next good edit still parses', () => {
    const parser = new IncrementalConfigParser();
    const good = withEntries('  - name: a\n    domains: [a.example.test]\n    dns: home\n');
    parser.parse(good, 'c.yaml');
    const bad = good.replace('dns: home', 'dns: homme');
    expect(outcome(() => parser.parse(bad, 'c.yaml'))).toEqual(outcome(() => parseConfig(bad, 'c.yaml')));
    expect(() => parser.parse(bad, 'c.yaml')).toThrow(/^c\.yaml:15:10: certificates\[0\]\.dns: unknown DNS provider "homme"/);
    expect(parser.parse(good, 'c.yaml').certificates).toHaveLength(1);
  });
});

describe('the memory of parsed entries', () => {
  const two = withEntries('  - name: a\n    domains: [a.example.test]\n    dns: home\n  - name: b\n    domains: [b.example.test]\n    dns: home\n');
  const parsers = { incremental: (t: string) => new IncrementalConfigParser().parse(t, 'c.yaml'), whole: (t: string) => parseConfig(t, 'c.yaml') };
  for (const [how, parse] of Object.entries(parsers)) {
    it(`shares one frozen default deploy list between specs (${how} parse)`, () => {
      const [a, b] = parse(two).certificates;
      expect(a!.deploy).toEqual([]);
      expect(a!.deploy).toBe(b!.deploy);
      expect(Object.isFrozen(a!.deploy)).toBe(true);
    });
  }

  it('gives each spec the keys and values zod gave it, its domains array sized to them', () => {
    const text = withEntries('  - name: a\n    domains: [a.example.test, b.example.test]\n    dns: home\n  - domains: [c.example.test]\n    dns: home\n    profile: tlsserver\n');
    const shared = new IncrementalConfigParser().parse(text, 'c.yaml').certificates;
    expect(shared.map((c) => Object.keys(c))).toEqual([
      ['name', 'domains', 'dns', 'follow_cnames', 'key_type', 'reuse_key', 'force_renew', 'deploy'],
      ['domains', 'dns', 'follow_cnames', 'key_type', 'reuse_key', 'force_renew', 'profile', 'deploy'],
    ]);
    expect(shared[0]).toEqual({ name: 'a', domains: ['a.example.test', 'b.example.test'], dns: 'home', follow_cnames: true, key_type: 'ecdsa-p256', reuse_key: false, force_renew: false, deploy: [] });
    expect(parseConfig(text, 'c.yaml').certificates).toEqual(shared);
  });

  it('keeps an entry\'s own deploy list its own', () => {
    const [a, b] = new IncrementalConfigParser().parse(withEntries('  - name: a\n    domains: [a.example.test]\n    dns: home\n    deploy:\n      - hook: [systemctl, reload, nginx]\n  - name: b\n    domains: [b.example.test]\n    dns: home\n'), 'c.yaml').certificates;
    expect(a!.deploy).toHaveLength(1);
    expect(b!.deploy).toEqual([]);
    expect(Object.isFrozen(a!.deploy)).toBe(false);
  });
});

describe('unchangedParts', () => {
  it('finds the common start and end of two texts, past the size of one compared chunk, without overlap', () => {
    const long = 'x'.repeat(10_000);
    expect(unchangedParts(`${long}a${long}`, `${long}bb${long}`)).toEqual({ prefix: 10_000, suffixStart: 10_002, delta: 1 });
    expect(unchangedParts('abcabc', 'abc')).toEqual({ prefix: 3, suffixStart: 3, delta: -3 });
    expect(unchangedParts('aaaa', 'aaaaa')).toEqual({ prefix: 4, suffixStart: 5, delta: 1 });
    expect(unchangedParts('same', 'same')).toEqual({ prefix: 4, suffixStart: 4, delta: 0 });
  });
});

describe('splitCertificates', () => {
  it('cuts the list into entries and leaves the rest with an empty list', () => {
    const text = 'a: 1\ncertificates:\n  - x: 1\n    y: 2\n\n  - z: 3\nb: 2\n';
    const split = splitCertificates(text)!;
    expect(split.head).toBe('a: 1\ncertificates: []\nb: 2\n');
    expect([0, 2].map((i) => text.slice(split.bounds[i], split.bounds[i + 1]))).toEqual(['  - x: 1\n    y: 2', '  - z: 3']);
  });

  it('declines shapes it cannot cut with certainty', () => {
    for (const t of ['certificates: [{x: 1}]\n', '---\ncertificates:\n  - x: 1\n', 'certificates:\n- x: 1\n', 'certificates:\n  x: 1\n', 'a: 1\n']) {
      expect(splitCertificates(t)).toBeUndefined();
    }
  });
});

describe('readPlainEntry', () => {
  const plainEntry = (t: string) => readPlainEntry(t, 0, t.length);
  it('reads plain keys, strings, booleans and flow lists, and declines anything else', () => {
    expect(plainEntry('  - name: a\n    domains: [a.test, "*.a.test"]\n    reuse_key: true')).toEqual({ name: 'a', domains: ['a.test', '*.a.test'], reuse_key: true });
    for (const t of ['  - name: 1a', '  - name: null', '  - name: a # c', '  - name: a\n    name: b', '  - name: a\n      dns: x', '  - dns: {a: b}', '  - domains: ["a,b"]']) {
      expect(plainEntry(t)).toBeUndefined();
    }
  });
});
