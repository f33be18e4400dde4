import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { captureLog } from '../../test/support/test-log.js';
import type { AddResult, CertificateBackend } from '../server/api-backend.js';
import { startApiServer, type ApiServer } from '../server/api-server.js';
import { clientUrl, runCert } from './cert-command.js';
import { UsageError } from './cli-options.js';

const TOKEN = 'cli-test-token-0123456789abcdef';
let dir: string;
let server: ApiServer;
let addAnswer: AddResult = { kind: 'created', certificate: { name: 'shop.example.test' } };
const seen: unknown[] = [];

const backend: CertificateBackend = {
  add: (entry) => { seen.push(entry); return Promise.resolve(addAnswer); },
  remove: (name) => Promise.resolve(name === 'shop' ? { kind: 'removed' } : { kind: 'not_found' }),
  get: () => Promise.resolve(undefined),
  list: (filter) => { seen.push(filter); return Promise.resolve([{ name: 'web', source: 'file', domains: ['web.example.test'], notAfter: null, nextRenewal: 'now', lastResult: null }]); },
};

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'cert-cli-'));
  await writeFile(path.join(dir, 'token'), `${TOKEN}\n`);
  await writeFile(path.join(dir, 'wrong'), 'wrong\n');
  server = await startApiServer({ listen: '127.0.0.1:0', token: () => TOKEN, backend, log: captureLog().log });
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

/** runCert's exit code and what it wrote. */
async function cert(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => { out += String(s); return true; });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => { err += String(s); return true; });
  try {
    const code = await runCert([...args, '--url', server.address, '--token-file', path.join(dir, args.includes('--wrong') ? 'wrong' : 'token')].filter((a) => a !== '--wrong'));
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

describe('certfleet cert', () => {
  it('adds from flags and prints the result; an unchanged add is 0 too', async () => {
    expect(await cert('add', '--domain', 'shop.example.test', '--domain', 'www.shop.example.test', '--dns', 'home', '--key-type', 'rsa-2048')).toEqual({ code: 0, out: 'shop.example.test: created\n', err: '' });
    expect(seen.at(-1)).toEqual({ domains: ['shop.example.test', 'www.shop.example.test'], dns: 'home', key_type: 'rsa-2048' });
    addAnswer = { kind: 'unchanged', certificate: { name: 'shop.example.test' } };
    expect((await cert('add', '--domain', 'shop.example.test', '--dns', 'home')).out).toBe('shop.example.test: unchanged\n');
  });

  it('adds from a JSON spec file, and prints each problem of a refusal by field path (exit 1)', async () => {
    await writeFile(path.join(dir, 'spec.json'), '{"domains": ["a.example.test"], "dns": "home", "key_typ": "x"}');
    addAnswer = { kind: 'invalid', problems: [{ path: '', message: 'unknown key "key_typ" (did you mean "key_type"?)' }, { path: 'domains[0]', message: 'bad' }] };
    const r = await cert('add', '--spec', path.join(dir, 'spec.json'));
    expect(r.code).toBe(1);
    expect(r.err).toBe('certfleet: 400 Bad request: the certificate entry is invalid\n  unknown key "key_typ" (did you mean "key_type"?)\n  domains[0]: bad\n');
    expect(seen.at(-1)).toEqual({ domains: ['a.example.test'], dns: 'home', key_typ: 'x' });
  });

  it('removes (exit 0), not found is 1, a wrong token is 2', async () => {
    expect(await cert('remove', '--cert', 'shop')).toEqual({ code: 0, out: 'shop: removed\n', err: '' });
    expect((await cert('remove', '--cert', 'nope')).code).toBe(1);
    const wrong = await cert('list', '--wrong');
    expect(wrong.code).toBe(2);
    expect(wrong.err).toMatch(/^certfleet: 401 Unauthorized/);
  });

  it('lists as a table or JSON, with the filters', async () => {
    const table = await cert('list', '--expiring', '14d');
    expect(table.out.split('\n')[0]).toMatch(/^NAME\s+SOURCE\s+DOMAINS/);
    expect(table.out).toMatch(/^web\s+file\s+web\.example\.test/m);
    expect(seen.at(-1)).toEqual({ status: 'expiring', withinMs: 14 * 86_400_000 });
    await cert('list', '--failing');
    expect(seen.at(-1)).toEqual({ status: 'failing' });
    expect(JSON.parse((await cert('list', '--json')).out)).toMatchObject({ certificates: [{ name: 'web' }] });
  });

  it('refuses bad usage with a clear message', async () => {
    await expect(runCert(['ad'])).rejects.toThrow(new UsageError('cert needs add, remove or list, not "ad" (did you mean "add"?)'));
    await expect(runCert(['add', '--url', server.address, '--token-file', path.join(dir, 'token')])).rejects.toThrow(/--domain D .* and --dns PROVIDER/);
    await expect(runCert(['remove', '--url', server.address])).rejects.toThrow(/--cert NAME/);
    await expect(runCert(['list', '--failing', '--expiring', '3d'])).rejects.toThrow(/not both/);
    await expect(runCert(['list', '--expiring', 'soon'])).rejects.toThrow(/expected a duration/);
    await expect(runCert(['list', '--url', server.address])).rejects.toThrow(/--url needs --token-file/);
  });

  it('reaches a daemon that listens on every address through loopback', () => {
    expect(clientUrl('0.0.0.0:9181')).toBe('http://127.0.0.1:9181');
    expect(clientUrl('[::]:9181')).toBe('http://[::1]:9181');
    expect(clientUrl('10.0.0.5:9181')).toBe('http://10.0.0.5:9181');
  });
});
