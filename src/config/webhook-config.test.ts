import { describe, expect, it } from 'vitest';
import { parseConfig } from './load-config.js';

// The webhook: section of the schema (beside load-config.test.ts, which others edit).
const parse = (webhook: string) => parseConfig(`acme: { directory: letsencrypt }
dns:
  providers:
    home: { type: powerdns, api_url: https://pdns.example.com, api_key: ${'k'.repeat(40)} }
webhook:
  provider: home
${webhook}`, 'c.yaml', { readSecretFile: () => 'tok-from-file' });

describe('webhook config', () => {
  it('defaults: health on loopback, _acme-challenge names not written, no token', () => {
    const w = parse('').webhook!;
    expect(w.listen).toBe('127.0.0.1:8888');
    expect(w.health_listen).toBe('127.0.0.1:8080');
    expect(w.allow_acme_challenge).toBe(false);
    expect(w.token).toBeUndefined();
  });

  it('token_file becomes a secret', () => {
    const w = parse('  token_file: /run/secrets/webhook-token\n').webhook!;
    expect(w.token?.reveal()).toBe('tok-from-file');
    expect(JSON.stringify(w)).not.toContain('tok-from-file');
  });

  it('default_ttl within 1..2147483647', () => {
    expect(() => parse('  default_ttl: 1000000000000000\n')).toThrow(/c\.yaml:\d+:\d+: webhook\.default_ttl: /);
    expect(() => parse('  default_ttl: 0\n')).toThrow(/webhook\.default_ttl: /);
    expect(parse('  default_ttl: 2147483647\n').webhook!.default_ttl).toBe(2147483647);
  });

  it('a domain filter pattern that does not compile is a config error', () => {
    expect(() => parse('  domain_filter: { regex_exclude: "(" }\n')).toThrow(/webhook\.domain_filter\.regex_exclude: expected a regular expression: Invalid regular expression/);
  });
});
