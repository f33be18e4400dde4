import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { MINIMAL_CONFIG } from '../../test/support/config-problems.js';
import { fastCertificate, readPlainEntry } from './fast-certificate.js';
import { IncrementalConfigParser } from './incremental-config.js';
import { parseConfig } from './load-config.js';
import { certificateSchema } from './schema.js';
import { shareDefaults } from './shared-defaults.js';

/*
 * The fast path against the general one, on generated entries: whatever the fast path accepts
 * must be exactly what yaml and zod make of it, and whatever it declines is left to them.
 */

const DOMAINS = ['a.example.test', 'A.Example.TEST', 'x.test.', '*.a.test', '*.test', 'a*.test', '*.*.test', 'a..test', '-a.test', 'a-.test', 'test',
  '', ' a.test', 'a.test ', `${'x'.repeat(64)}.test`, `${'a'.repeat(63)}.test`, `${'a.'.repeat(127)}test`, 'a_b.test', 'ü.test', '1.2', 'xn--bcher-kva.test', 'a.b.c.d.e'];
const domain = fc.oneof({ weight: 3, arbitrary: fc.constantFrom('a.example.test', '*.a.test', 'xn--bcher-kva.test', 'A.Example.TEST', 'x.test.', '*.test') },
  fc.constantFrom(...DOMAINS), fc.stringMatching(/^[a-zA-Z0-9.*-]{0,12}$/));
const NAMES = ['c1', 'a..b', '.a', 'a/b', '1x', '', 'A_b-c.d', 'x.', 'null', 'true'];
const scalar = fc.oneof(fc.constantFrom(...NAMES), fc.boolean(), fc.integer(), fc.constant(null));
const anyValue = fc.oneof(scalar, fc.array(scalar, { maxLength: 2 }), fc.dictionary(fc.constantFrom('a.test', 'b'), fc.constantFrom('home', 'x', '')));
const VALUES: Record<string, fc.Arbitrary<unknown>> = {
  name: fc.oneof(fc.constantFrom(...NAMES), scalar),
  domains: fc.oneof(fc.array(domain, { maxLength: 3 }), domain, scalar),
  dns: fc.oneof(fc.constantFrom('home', 'other', ''), anyValue),
  follow_cnames: fc.oneof(fc.boolean(), scalar),
  key_type: fc.oneof(fc.constantFrom('ecdsa-p256', 'ecdsa-p384', 'rsa-2048', 'rsa-3072', 'rsa-4096', 'rsa', 'ECDSA-P256'), scalar),
  reuse_key: fc.oneof(fc.boolean(), scalar),
  force_renew: fc.oneof(fc.boolean(), scalar),
  profile: fc.oneof(fc.constantFrom('tlsserver', 'shortlived', ''), scalar),
  deploy: fc.oneof(fc.constant([]), fc.constant([{ hook: ['true'] }]), scalar),
  colour: anyValue,
  ['__proto__']: anyValue, // an own key, as yaml makes it
};
const rawEntry = fc.record(VALUES, { requiredKeys: [] });
/** Entries zod mostly accepts, each field then and again wrong: where a check left out of the fast path shows. */
const nearlyValid = fc.record({
  name: fc.constantFrom(...NAMES), domains: fc.array(domain, { minLength: 1, maxLength: 3 }), dns: fc.constant('home'),
  follow_cnames: fc.boolean(), key_type: fc.constantFrom('ecdsa-p384', 'rsa-2048', 'rsa'), reuse_key: fc.boolean(), profile: fc.constantFrom('tlsserver', ''),
}, { requiredKeys: ['domains', 'dns'] });

describe('fastCertificate', () => {
  it('gives zod\'s output, key order included, for every entry it accepts, and declines every entry zod refuses', () => {
    let accepted = 0;
    fc.assert(fc.property(fc.oneof(rawEntry, nearlyValid), (raw) => {
      const fast = fastCertificate(structuredClone(raw));
      const zod = certificateSchema.safeParse(raw);
      if (!zod.success) expect(fast).toBeUndefined();
      if (!zod.success || fast === undefined) return;
      accepted++;
      const expected = shareDefaults(zod.data);
      expect(fast).toEqual(expected);
      expect(Object.keys(fast)).toEqual(Object.keys(expected));
      expect(fast.deploy).toBe(expected.deploy); // the one shared, frozen default
    }), { numRuns: 3000 });
    expect(accepted).toBeGreaterThan(300);
  });
});

/** One entry's text from generated lines: keys and values written as a person would, and as no one should. */
const VALUE_TEXTS = ['c1', 'a..b', '[A.Test]', '[x.test.]', '["*.x.test", y.test]', '"c1"', 'a.example.test', '"*.a.test"', '[a.example.test]', '[a.example.test, "*.a.example.test"]', '[ b.test ,c.test ]', '[]', '[a.test,]',
  'home', '"home"', 'true', 'False', 'TRUE', 'yes', 'null', '~', 'Null', '1x', '12', '0x1f', '.inf', '"a b"', '"a\\"b"', '"a\\tb"', '"${CERTFLEET_X}"', 'a # c', '"a" # c',
  '{a.test: home}', 'a:b', '-a', '"ü"', 'rsa-2048', '"0640"', "'single'", '[a, [b]]', 'ecdsa-p256   ', '"a,b"', '[\'x\']', '&a x', '*a', '!!str x', '|', '>'];
const KEY_TEXTS = ['name', 'domains', 'dns', 'follow_cnames', 'key_type', 'reuse_key', 'force_renew', 'profile', 'deploy', 'Name', 'api_key_file', 'colour', '__proto__', 'na-me'];
const line = fc.record({ key: fc.constantFrom(...KEY_TEXTS), value: fc.constantFrom(...VALUE_TEXTS), sep: fc.oneof({ weight: 6, arbitrary: fc.constant(': ') }, fc.constantFrom(':', ' : ', ':  ')) });
const entryText = fc.tuple(fc.array(line, { minLength: 1, maxLength: 5 }), fc.oneof({ weight: 8, arbitrary: fc.constant('  ') }, fc.constantFrom(' ', '   ', '\t')), fc.oneof({ weight: 5, arbitrary: fc.constant('') }, fc.constantFrom('  # note', ' ', '\n'))).map(([lines, indent, extra]) =>
  lines.map((l, i) => `${i === 0 ? '  - ' : `  ${i === 1 ? '  ' : indent}`}${l.key}${l.sep}${l.value}`).join('\n') + extra);

describe('readPlainEntry', () => {
  it('reads an entry as yaml does, or declines it', () => {
    let read = 0;
    fc.assert(fc.property(entryText, (text) => {
      const plain = readPlainEntry(text, 0, text.length);
      if (plain === undefined) return;
      read++;
      expect(plain).toEqual((parseYaml(text, { uniqueKeys: true }) as unknown[])[0]);
    }), { numRuns: 3000 });
    expect(read).toBeGreaterThan(100);
  });

  it('reads only between the offsets it is given', () => {
    const text = '  - name: a\n    domains: [a.test]\n  - name: b\n';
    expect(readPlainEntry(text, 0, text.indexOf('\n  - name: b'))).toEqual({ name: 'a', domains: ['a.test'] });
    expect(readPlainEntry(text, text.indexOf('  - name: b'), text.length - 1)).toEqual({ name: 'b' });
  });
});

describe('the incremental parser on generated certificate lists', () => {
  const head = MINIMAL_CONFIG.slice(0, MINIMAL_CONFIG.indexOf('certificates:'));
  const outcome = (parse: () => unknown) => {
    try {
      return parse();
    } catch (err) {
      return { error: String(err) };
    }
  };
  it('gives parseConfig\'s result, or its located message, for every file, on a first parse and after an edit', () => {
    const env = { CERTFLEET_X: 'x.example.test' };
    fc.assert(fc.property(fc.array(entryText, { minLength: 1, maxLength: 4 }), fc.array(entryText, { maxLength: 2 }), (entries, more) => {
      const text = `${head}certificates:\n${entries.map((e) => `${e}\n`).join('')}`;
      const parser = new IncrementalConfigParser();
      expect(outcome(() => parser.parse(text, 'c.yaml', { env }))).toEqual(outcome(() => parseConfig(text, 'c.yaml', { env })));
      const edited = `${head}certificates:\n${[...entries.slice(0, 1), ...more, ...entries.slice(1)].map((e) => `${e}\n`).join('')}`;
      expect(outcome(() => parser.parse(edited, 'c.yaml', { env }))).toEqual(outcome(() => parseConfig(edited, 'c.yaml', { env })));
    }), { numRuns: 150 });
  });
});
