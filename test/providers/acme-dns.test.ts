import { describe, expect, it } from 'vitest';
import type { DnsProvider } from '../../src/dns/dns-provider.js';
import { AcmeDnsProvider, registerAcmeDnsAccount } from '../../src/dns/acme-dns/acme-dns-provider.js';
import { startFakeAcmeDns } from '../support/fake-acme-dns.js';

const signal = () => AbortSignal.timeout(10_000);

// acme-dns is outside the generic conformance suite by design: it has no delete (values rotate),
// keeps two values per account, and only names its accounts own. These are its own rules.
describe('acme-dns provider (against a fake of joohoi/acme-dns)', () => {
  it('registers, then writes through the CNAME target or the domain; keeps apex and wildcard values together', async () => {
    const fake = await startFakeAcmeDns();
    try {
      const account = await registerAcmeDnsAccount(fake.url, signal());
      expect(account.fulldomain).toBe(`${account.subdomain}.${fake.domain}`);
      const p = new AcmeDnsProvider({ id: 'adns', apiUrl: fake.url, accounts: { 'example.com': account } });
      // Reached through the CNAME: the zone is acme-dns's own, the name the account's subdomain.
      const pair = [{ name: account.subdomain, type: 'TXT', data: 'apex', ttl: 60 }, { name: account.subdomain, type: 'TXT', data: 'wildcard', ttl: 60 }];
      expect(await p.appendRecords(fake.domain, [...pair, pair[0]!], signal())).toEqual(pair); // a value given twice is created once
      expect(fake.txt(account.fulldomain).sort()).toEqual(['apex', 'wildcard']);
      // Without CNAME following: _acme-challenge.<domain> maps to the domain's account.
      await p.appendRecords('example.com', [{ name: '_acme-challenge', type: 'TXT', data: 'third', ttl: 60 }], signal());
      expect(fake.txt(account.fulldomain).sort()).toEqual(['third', 'wildcard']);
      // acme-dns cannot delete: nothing is reported deleted.
      const provider: DnsProvider = p;
      expect(await provider.deleteRecords('example.com', [{ name: '_acme-challenge', type: 'TXT', data: 'third', ttl: 60 }], signal())).toEqual([]);
      expect(fake.txt(account.fulldomain)).toContain('third');
    } finally {
      await fake.stop();
    }
  });

  it('wrong credentials and a name with no account: clear errors, no password in them', async () => {
    const fake = await startFakeAcmeDns();
    try {
      const account = await registerAcmeDnsAccount(fake.url, signal());
      const wrong = new AcmeDnsProvider({ id: 'adns', apiUrl: fake.url, accounts: { 'example.com': { ...account, password: 'not-the-password' } } });
      const err = await wrong.appendRecords('example.com', [{ name: '_acme-challenge', type: 'TXT', data: 'v', ttl: 60 }], signal()).then(() => new Error('no failure'), (e: unknown) => e as Error);
      expect(err).toMatchObject({ code: 'DNS_AUTH', message: `acme-dns provider adns (${fake.url}), subdomain ${account.subdomain}: credentials refused (HTTP 401: forbidden)` });
      expect(err.message).not.toContain('not-the-password');
      const p = new AcmeDnsProvider({ id: 'adns', apiUrl: fake.url, accounts: { 'example.com': account } });
      await expect(p.appendRecords('other.com', [{ name: '_acme-challenge', type: 'TXT', data: 'v', ttl: 60 }], signal()))
        .rejects.toMatchObject({ code: 'DNS_NO_PROVIDER', message: expect.stringMatching(/^acme-dns provider adns: no account for _acme-challenge\.other\.com; register one/) });
    } finally {
      await fake.stop();
    }
  });
});

describe('certfleet acme-dns register', () => {
  it('saves the account (0600) where the provider reads it, prints the CNAME, never the password', async () => {
    const { execFile } = await import('node:child_process');
    const { promisify } = await import('node:util');
    const { mkdtemp, readFile, stat, writeFile, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const { parseConfig } = await import('../../src/config/load-config.js');
    const { registerOutput } = await import('../support/secret-scan.js');
    const fake = await startFakeAcmeDns();
    const dir = await mkdtemp(path.join(tmpdir(), 'certfleet-adns-'));
    try {
      const accountsFile = path.join(dir, 'acme-dns.json');
      const cfg = `acme: { directory: https://ca.test/dir }\ndns:\n  providers:\n    adns: { type: acme-dns, api_url: "${fake.url}" }\ncertificates: []\n`;
      const file = path.join(dir, 'c.yaml');
      await writeFile(file, cfg);
      const bin = path.resolve(import.meta.dirname, '../../bin/certfleet');
      const { stdout, stderr } = await promisify(execFile)(bin, ['acme-dns', 'register', '--config', file, '--provider', 'adns', '--domain', '*.Example.com', '--accounts-file', accountsFile]);
      registerOutput([stdout, stderr]);
      const saved = JSON.parse(await readFile(accountsFile, 'utf8')) as Record<string, { password: string; fulldomain: string }>;
      expect(Object.keys(saved)).toEqual(['example.com']);
      expect((await stat(accountsFile)).mode & 0o777).toBe(0o600);
      expect(stdout).toContain(`  _acme-challenge.example.com. CNAME ${saved['example.com']!.fulldomain}.`);
      expect(stdout).not.toContain(saved['example.com']!.password);
      // The provider reads that file through accounts_file, and its password becomes a Secret.
      const withFile = parseConfig(cfg.replace(`api_url: "${fake.url}" }`, `api_url: "${fake.url}", accounts_file: acme-dns.json }`), file);
      const p = withFile.dns.providers.adns!;
      expect(p.type === 'acme-dns' && p.accounts['example.com']!.password.reveal()).toBe(saved['example.com']!.password);
    } finally {
      await fake.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
