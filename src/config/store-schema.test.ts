import { describe, expect, it } from 'vitest';
import { configProblems, MINIMAL_CONFIG } from '../../test/support/config-problems.js';
import { parseConfig } from './load-config.js';
import { Secret } from './secret.js';

const withStore = (store: string) => MINIMAL_CONFIG.replace('store:\n  path: /tmp/x\n', `store:\n${store}`);
const URL = 'postgres://certfleet:s3cret-pw@db.example.test:5432/certfleet?sslmode=verify-full';

describe('store config', () => {
  it('a store without type is today\'s directory store', () => {
    const config = parseConfig(MINIMAL_CONFIG, '/etc/c.yaml');
    expect(config.store).toEqual({ type: 'directory', path: '/tmp/x' });
  });

  it('postgres: url is a secret (never printed), path is the local dir, host and lease_ttl have their forms', () => {
    const config = parseConfig(withStore(`  type: postgres\n  url: ${URL}\n  path: /var/lib/certfleet-local\n  host: edge-1\n  lease_ttl: 45s\n`), '/etc/c.yaml');
    expect(config.store.type).toBe('postgres');
    if (config.store.type !== 'postgres') return;
    expect(config.store.url).toBeInstanceOf(Secret);
    expect(config.store.url!.reveal()).toBe(URL);
    expect(JSON.stringify(config.store)).not.toContain('s3cret-pw');
    expect(config.store).toMatchObject({ path: '/var/lib/certfleet-local', host: 'edge-1', lease_ttl: 45_000 });
  });

  it('postgres: url_file is read like every secret file, and only under store (webhook url stays a URL)', () => {
    const config = parseConfig(withStore('  type: postgres\n  url_file: /run/secrets/pg\n'), '/etc/c.yaml', { readSecretFile: (f) => (f === '/run/secrets/pg' ? `${URL}\n` : '') });
    expect(config.store.type === 'postgres' && config.store.url?.reveal()).toBe(URL);
  });

  it('bad input: a missing url, an unknown type with did-you-mean, a bad host id — each with its path', () => {
    expect(configProblems(withStore('  type: postgres\n'))).toEqual([expect.stringMatching(/store\.url: required with type postgres: url/)]);
    expect(configProblems(withStore('  type: postgress\n  url: x\n'))).toEqual([expect.stringMatching(/store(\.type)?: unknown store type "postgress" \(did you mean "?postgres"?\?\)/)]);
    expect(configProblems(withStore(`  type: postgres\n  url: ${URL}\n  host: "a b"\n`))).toEqual([expect.stringMatching(/store\.host: expected a host id/)]);
  });
});
