import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MINIMAL_CONFIG } from '../../test/support/config-problems.js';
import { captureLog } from '../../test/support/test-log.js';
import { parseConfig } from '../config/load-config.js';
import { certificateName, type Config } from '../config/schema.js';
import type { StatusSource } from '../scheduler/certificate-status.js';
import { ManagedDirectory } from '../store/managed-directory.js';
import { ManagedCertificates } from './managed-certificates.js';

const signal = new AbortController().signal;
const caller = { peer: '127.0.0.1:5000' };
const NOW = Date.parse('2026-12-01T00:00:00Z');
const DAY = 86_400_000;
let root: string;
beforeEach(async () => { root = await mkdtemp(path.join(tmpdir(), 'managed-set-')); });
afterEach(async () => { await rm(root, { recursive: true, force: true }); });

/** The file has `example.test`; `expiring` is stored with 10 days left, `broken` failed last time. */
const status: StatusSource = {
  readMeta: (name) => Promise.resolve(name === 'expiring' ? { notAfter: new Date(NOW + 10 * DAY).toISOString(), issuedAt: new Date(NOW - 80 * DAY).toISOString(), domains: ['e.example.test'], keyType: 'ecdsa-p256', directory: 'https://127.0.0.1:14000/dir' } as never : undefined),
  readState: (name) => Promise.resolve({ state: name === 'broken' ? { lastResult: 'failed', lastError: 'boom', failures: 1 } : { failures: 0 } }),
};

function setup() {
  let config: Config = parseConfig(MINIMAL_CONFIG, 'c.yaml', { env: {} });
  const store = new ManagedDirectory({ root });
  const changed: string[] = [];
  const captured = captureLog();
  const { log } = captured;
  const managed = new ManagedCertificates({ store: () => store, status: () => status, config: () => config, changed: (n) => changed.push(n), log, now: () => NOW });
  return { managed, store, changed, records: () => captured.records(), setConfig: (c: Config) => { config = c; }, config: () => config };
}

describe('ManagedCertificates', () => {
  it('adds idempotently, refuses a different spec or a file name with 409, audits each change', async () => {
    const { managed, changed, records, config } = setup();
    expect(await managed.add({ name: 'web', domains: ['web.example.test'], dns: 'home' }, caller, signal)).toMatchObject({ kind: 'created', certificate: { name: 'web', source: 'api', nextRenewal: 'now' } });
    expect(await managed.add({ dns: 'home', name: 'web', domains: ['WEB.example.test'], key_type: 'ecdsa-p256' }, caller, signal)).toMatchObject({ kind: 'unchanged' });
    expect(await managed.add({ name: 'web', domains: ['other.example.test'], dns: 'home' }, caller, signal)).toMatchObject({ kind: 'conflict', detail: expect.stringContaining('different spec') });
    expect(await managed.add({ domains: ['example.test'], dns: 'home' }, caller, signal)).toMatchObject({ kind: 'conflict', detail: expect.stringContaining('config file') });
    expect(await managed.add({ domains: ['x.example.test'], dns: 'hme' }, caller, signal)).toMatchObject({ kind: 'invalid', problems: [{ path: 'dns', message: expect.stringContaining('did you mean "home"') }] });
    expect(changed).toEqual(['web']);
    expect(managed.details()).toBeUndefined();
    expect(managed.merged(config()).map(certificateName)).toEqual(['example.test', 'web']);
    expect(records().filter((r) => r.msg === 'api_change')).toEqual([expect.objectContaining({ audit: true, action: 'add', cert: 'web', peer: '127.0.0.1:5000' })]);
    expect(await managed.remove('web', caller, signal)).toEqual({ kind: 'removed' });
    expect(await managed.remove('web', caller, signal)).toEqual({ kind: 'not_found' });
    expect(await managed.remove('example.test', caller, signal)).toMatchObject({ kind: 'conflict' });
    expect(changed).toEqual(['web', 'web']);
    expect(managed.merged(config()).map(certificateName)).toEqual(['example.test']);
  });

  it('lets the file win on a stored name it also has, and reports the conflict and specs that no longer validate', async () => {
    const { managed, store, setConfig, config } = setup();
    await store.putManaged('example.test', { domains: ['example.test'], dns: 'home' }, signal);
    await store.putManaged('gone', { domains: ['gone.example.test'], dns: 'other' }, signal);
    await store.putManaged('kept', { domains: ['kept.example.test'], dns: 'home' }, signal);
    await managed.load(signal);
    expect(managed.merged(config()).map(certificateName)).toEqual(['example.test', 'kept']);
    expect(managed.details()).toEqual({ managed: { conflicts: ['example.test'], invalid: { gone: expect.any(String) } } });
    expect(managed.report()).toEqual({ conflicts: ['example.test'], invalid: { gone: expect.stringContaining('unknown DNS provider "other"') } });
    expect(managed.specOf('example.test', config())).toBe(config().certificates[0]);
    // A reload that defines the provider makes the stored spec valid again.
    setConfig(parseConfig(MINIMAL_CONFIG.replace('dns:\n  providers:\n', 'dns:\n  providers:\n    other: {type: powerdns, api_url: "http://127.0.0.1:8081", api_key: k}\n'), 'c.yaml', { env: {} }));
    const merged = managed.merged(config());
    expect(merged.map(certificateName)).toEqual(['example.test', 'gone', 'kept']);
    expect(managed.report().invalid).toEqual({});
    // An edit that keeps the providers validates nothing again: the same spec objects (the daemon
    // then compares them by identity, at no cost per certificate).
    setConfig(parseConfig(`${MINIMAL_CONFIG.replace('dns:\n  providers:\n', 'dns:\n  providers:\n    other: {type: powerdns, api_url: "http://127.0.0.1:8081", api_key: k}\n')}\n`, 'c.yaml', { env: {} }));
    expect(managed.merged(config())[2]).toBe(merged[2]);
    expect((await managed.list({}, signal)).find((r) => r.name === 'example.test')).toMatchObject({ source: 'file', conflict: expect.any(String) });
  });

  it('filters failing and expiring certificates', async () => {
    const { managed } = setup();
    for (const name of ['expiring', 'broken']) await managed.add({ name, domains: [`${name}.example.test`], dns: 'home' }, caller, signal);
    expect((await managed.list({ status: 'failing' }, signal)).map((r) => r.name)).toEqual(['broken']);
    // Not issued yet counts as expiring: nothing is served.
    expect((await managed.list({ status: 'expiring', withinMs: 30 * DAY }, signal)).map((r) => r.name)).toEqual(['example.test', 'expiring', 'broken']);
    expect((await managed.list({ status: 'expiring', withinMs: 5 * DAY }, signal)).map((r) => r.name)).toEqual(['example.test', 'broken']);
  });

  it('rereads one name another host changed and reschedules it alone', async () => {
    const { managed, store, changed, config } = setup();
    await store.putManaged('remote', { domains: ['remote.example.test'], dns: 'home' }, signal);
    await managed.reread('remote', signal);
    expect(changed).toEqual(['remote']);
    expect(managed.specOf('remote', config())).toMatchObject({ domains: ['remote.example.test'] });
    await store.deleteManaged('remote', signal);
    await managed.reread('remote', signal);
    expect(managed.specOf('remote', config())).toBeUndefined();
  });
});
