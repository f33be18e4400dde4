import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './load-config.js';

const good = `acme:
  directory: https://127.0.0.1:14000/dir
  email: admin@example.test
store:
  path: /tmp/x
dns:
  providers:
    home:
      type: powerdns
      api_url: http://127.0.0.1:8081
      api_key: k
certificates:
  - domains: [example.test, "*.example.test"]
    dns: home
`;

function problems(text: string): string[] {
  try {
    parseConfig(text, 'c.yaml');
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => `${p.line}:${p.column} ${p.path}: ${p.message}`);
    throw err;
  }
  return [];
}

describe('parseConfig', () => {
  it('fills defaults and derives names', () => {
    const c = parseConfig(good, 'c.yaml');
    expect(c.certificates[0]).toMatchObject({ key_type: 'ecdsa-p256', reuse_key: false, domains: ['example.test', '*.example.test'] });
    expect(c.dns.providers.home).toMatchObject({ ttl: 60, server_id: 'localhost', propagation: { timeout: 120_000 } });
    expect(parseConfig(good.replace('https://127.0.0.1:14000/dir', 'letsencrypt-staging'), 'c').acme.directory).toMatch(/acme-staging-v02/);
  });

  // Cross-field checks (provider ids, duplicate names) run once the fields themselves are valid.
  it('reports every problem with line, column and path', () => {
    const bad = good
      .replace('    dns: home', '    dns: nowhere\n    key_type: ed25519\n    colour: blue')
      .replace('example.test, "*.example.test"', 'example.test, "www.*.example.test"');
    expect(problems(bad)).toEqual([
      expect.stringMatching(/^13:29 certificates\[0\]\.domains\[1\]: invalid domain name .*leftmost/),
      expect.stringMatching(/^15:15 certificates\[0\]\.key_type: /),
      expect.stringMatching(/^16:5 certificates\[0\]: unknown key "colour"/),
    ]);
    expect(problems(good.replace('dns: home', 'dns: nowhere'))).toEqual([expect.stringMatching(/^14:10 certificates\[0\]\.dns: unknown DNS provider "nowhere"; defined: home/)]);
  });

  it('reports YAML syntax errors with their position', () => {
    expect(problems('acme: [\n')[0]).toMatch(/^\d+:\d+ : /);
  });

  it('rejects duplicate names and names with path separators', () => {
    const two = `${good}  - name: example.test\n    domains: [a.example.test]\n    dns: home\n  - name: ../etc\n    domains: [b.example.test]\n    dns: home\n`;
    const p = problems(two);
    expect(p).toContainEqual(expect.stringMatching(/certificates\[1\]\.name: duplicate certificate name "example.test"/));
    expect(p).toContainEqual(expect.stringMatching(/certificates\[2\]\.name: .*no path separators/));
  });
});
