import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ListFilters } from '../src/cli/list-check.js';
import { TABLE_HEADER, TableText, tableCells, visitListFacts } from '../src/cli/list-table.js';
import { ListWorker } from '../src/cli/list-worker-table.js';
import { parseConfig } from '../src/config/load-config.js';
import type { Config } from '../src/config/schema.js';
import { FileStore } from '../src/store/file-store.js';
import { StoreIndex } from '../src/store/store-index.js';

/** The worker thread as `certfleet list` runs it: the build of src/cli/list-worker.ts (make setup builds it). */
const WORKER = pathToFileURL(path.resolve(import.meta.dirname, '../dist/cli/list-worker.js'));
const S = () => AbortSignal.timeout(30_000);
const day = 86_400_000;
const DIRECTORY = 'https://127.0.0.1:9/dir';

let dir: string;
let storeDir: string;
let config: Config;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'certfleet-list-worker-'));
  storeDir = path.join(dir, 'store');
  config = await seeded();
}, 120_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Config order is not the store's: z-names first, then c0… backwards. */
const NAMES = [...Array.from({ length: 20 }, (_, i) => `z${i}`), ...Array.from({ length: 100 }, (_, i) => `c${99 - i}`)];
const UNSTORED = new Set(['c5', 'c6', 'c7', 'c8', 'c9']);

/**
 * A store in every state a row can be in: failed, expiring, two domains, a failed deploy, nothing
 * stored (one with a live/ directory not certfleet's), state without a certificate, a writer's mark
 * on the row, a file the index has no row for, one name the config no longer has; and specs that
 * differ from what is stored (domains, key type) or renew by force.
 */
async function seeded(): Promise<Config> {
  const store = new FileStore({ root: storeDir });
  const notBefore = new Date(Date.now() - day).toISOString();
  const meta = (name: string) => ({
    name, domains: name === 'z3' ? [`${name}.example.test`, `www.${name}.example.test`] : [`${name}.example.test`], keyType: 'ecdsa-p256', notBefore,
    notAfter: new Date(Date.now() + (name === 'c1' ? 5 : 89) * day).toISOString(), issuer: 'CN=test', serial: name, account: '', orderUrl: '', issuedAt: notBefore, directory: DIRECTORY,
  });
  const pem = { cert: 'c', chain: '', fullchain: 'c', privkey: 'k' };
  for (const name of [...NAMES.filter((n) => !UNSTORED.has(n) && n !== 'c44' && n !== 'c46'), 'gone']) {
    await using lease = await store.lock(name, S());
    await store.save({ meta: meta(name), pem }, lease, S());
    const at = new Date().toISOString();
    if (name === 'c20') await store.writeState(name, { failures: 2, nextAttempt: new Date(Date.now() + 3_600_000).toISOString(), lastResult: 'failed', lastAttempt: at, lastError: 'the CA said no' }, { lease }, S());
    if (name === 'c45') {
      await store.writeState(name, { failures: 0, lastResult: 'issued', lastAttempt: at, deploy: { actions: [{ kind: 'exec', describe: 'systemctl reload nginx', required: true, result: 'failed', at, error: 'exit 1' }], failures: 1, nextAttempt: new Date(Date.now() + 600_000).toISOString() } }, { lease }, S());
    }
  }
  {
    await using lease = await store.lock('c44', S());
    await store.writeState('c44', { failures: 1, lastResult: 'failed', lastAttempt: new Date().toISOString(), lastError: 'no DNS' }, { lease }, S());
  }
  await mkdir(path.join(storeDir, 'live', 'c7'));
  const { index } = StoreIndex.open(store.indexFile);
  index.markMeta('c43');
  index.close();
  // Written by hand (no row): the next open of the index finds it and refreshes its row.
  await writeFile(path.join(storeDir, 'renewal', 'c46.json'), JSON.stringify({ ...meta('c46'), version: 1 }));
  const entry = (n: string) => {
    const domains = n === 'c40' ? ['c40-new.example.test'] : meta(n).domains;
    return `  - name: ${n}\n    domains: [${domains.join(', ')}]\n    dns: home\n${n === 'c41' ? '    key_type: rsa-2048\n' : ''}${n === 'c42' || n === 'c45' ? '    force_renew: true\n' : ''}`;
  };
  const text = `acme:\n  directory: ${DIRECTORY}\n  email: admin@example.test\nstore:\n  path: ${storeDir}\ndns:\n  providers:\n    home:\n      type: powerdns\n      api_url: http://127.0.0.1:9\n      api_key: key-not-used-by-list\ncertificates:\n${NAMES.map(entry).join('')}`;
  return parseConfig(text, path.join(dir, 'config.yml'));
}

/** The table as `list` makes it in one thread. */
async function inOneThread(filters: ListFilters, now: number): Promise<string> {
  const table = new TableText(TABLE_HEADER, config.certificates.length);
  await visitListFacts(config, new FileStore({ root: storeDir }), now, filters, S(), (i, facts) => table.set(i, tableCells(facts, config.certificates[i]!.domains, config.certificates[i]!.key_type)));
  return [...table.chunks()].join('');
}

/** The table with the worker thread, chunks of `chunkRowids` shared out between the two threads. */
async function withWorker(filters: ListFilters, now: number, chunkRowids: number, forceRenew = true): Promise<string | undefined> {
  const store = new FileStore({ root: storeDir });
  const worker = new ListWorker(WORKER);
  worker.start({ indexFile: store.indexFile, now, directory: DIRECTORY, filters, forceRenew, chunkRowids });
  const table = await worker.table(config, store, S());
  return table && [...table.chunks()].join('');
}

describe('certfleet list with its worker thread', () => {
  const cases: [string, ListFilters][] = [
    ['no filter', {}], ['--failing', { failing: true }], ['--expiring 30d', { expiringWithinMs: 30 * day }], ['--name c4?', { name: /^c4.$/ }],
  ];
  for (const [what, filters] of cases) {
    it(`makes the table one thread makes, byte for byte (${what})`, async () => {
      const now = Date.now();
      const expected = await inOneThread(filters, now);
      // Chunks of 7 rowids: many, so both threads take some; one of 10,000: the worker or this thread alone.
      for (const chunkRowids of [7, 10_000]) expect(await withWorker(filters, now, chunkRowids)).toBe(expected);
      // A worker told no spec renews by force (the file's text has no force_renew; c42's came through the API, say).
      expect(await withWorker(filters, now, 7, false)).toBe(expected);
    });
  }

  it('shows what each state looks like (so the comparison above compares something)', async () => {
    const rows = (await inOneThread({}, Date.now())).trimEnd().split('\n').map((line) => line.split(/ {2,}/));
    const row = (name: string) => rows.find((r) => r[0] === name)!;
    expect(rows.length).toBe(NAMES.length + 1);
    expect(row('c40')[5]).toBe('now');
    expect(row('c41')[5]).toBe('now');
    expect(row('c42')[5]).not.toBe(row('c43')[5]);
    expect(row('c44')[6]).toMatch(/^failed .*: no DNS$/);
    expect(row('c45')[7]).toMatch(/^failed .*: systemctl reload nginx, retry /);
    expect(row('c46')[3]).not.toBe('-');
    expect(row('c7')[6]).toMatch(/not certfleet's/);
    expect(row('z3')[1]).toBe('z3.example.test,www.z3.example.test');
  });

  it('gives no table (the caller makes it alone) when the store has no index, its index was rebuilt, or the worker fails', async () => {
    const empty = path.join(dir, 'empty');
    await mkdir(empty);
    const none = new ListWorker(WORKER);
    none.start({ indexFile: path.join(empty, 'index.sqlite'), now: Date.now(), directory: DIRECTORY, filters: {}, forceRenew: false });
    expect(await none.table({ ...config, store: { ...config.store, path: empty } }, new FileStore({ root: empty }), S())).toBeUndefined();

    // An index found damaged at its open is rebuilt from the files: what the worker read of it does not count.
    const damaged = path.join(dir, 'damaged');
    await cp(storeDir, damaged, { recursive: true });
    await writeFile(path.join(damaged, 'index.sqlite'), 'no SQLite file '.repeat(400));
    const rebuilt = new ListWorker(WORKER);
    rebuilt.start({ indexFile: path.join(damaged, 'index.sqlite'), now: Date.now(), directory: DIRECTORY, filters: {}, forceRenew: false });
    expect(await rebuilt.table({ ...config, store: { ...config.store, path: damaged } }, new FileStore({ root: damaged }), S())).toBeUndefined();

    const failing = new ListWorker(pathToFileURL(path.join(dir, 'no-such-worker.js')));
    failing.start({ indexFile: new FileStore({ root: storeDir }).indexFile, now: Date.now(), directory: DIRECTORY, filters: {}, forceRenew: false });
    expect(await failing.table(config, new FileStore({ root: storeDir }), S())).toBeUndefined();
  });
});
