import { execFileSync, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BULK_STATUSES_FROM } from '../src/scheduler/certificate-status.js';
import { FileStore } from '../src/store/file-store.js';
import { certfleet as run } from './support/run-import-dnsrobocert.js';
import { CERTFLEET_BIN } from './support/run-certfleet.js';

let dir: string;
beforeAll(async () => { dir = await mkdtemp(path.join(tmpdir(), 'certfleet-list-bulk-')); });
afterAll(() => rm(dir, { recursive: true, force: true }));

const certfleet = (...args: string[]) => run(args, { CERTFLEET_CONFIG: '' });
const S = () => AbortSignal.timeout(30_000);
const day = 86_400_000;

/** Config order is not the store's (by name) order: z-names first, then c0… backwards. */
const NAMES = [...Array.from({ length: 20 }, (_, i) => `z${i}`), ...Array.from({ length: 230 }, (_, i) => `c${229 - i}`)];
const UNSTORED = new Set(['c5', 'c6', 'c7', 'c8', 'c9']);

function configText(store: string, names: readonly string[]): string {
  return `acme:
  directory: https://127.0.0.1:9/dir
  email: admin@example.test
store:
  path: ${store}
dns:
  providers:
    home:
      type: powerdns
      api_url: http://127.0.0.1:9
      api_key: key-not-used-by-list
certificates:
${names.map((n) => `  - name: ${n}\n    domains: [${n}.example.test${n === 'z3' ? `, www.${n}.example.test` : ''}]\n    dns: home\n`).join('')}`;
}

/** A table's cells (columns are two or more spaces apart; no cell holds two spaces). */
const cells = (table: string) => table.trimEnd().split('\n').map((line) => line.split(/ {2,}/));

describe('certfleet list on a big config (the store\'s bulk read, bin/certfleet)', () => {
  it('shows every certificate in config order, as a small config\'s per-name reads do, with its filters', async () => {
    expect(NAMES.length).toBeGreaterThanOrEqual(BULK_STATUSES_FROM);
    const storeDir = path.join(dir, 'store');
    const store = new FileStore({ root: storeDir });
    // One self-signed certificate stands in for every one (--long reads it; the rest reads metadata).
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', path.join(dir, 'k.pem'), '-out', path.join(dir, 'c.pem'), '-days', '90', '-subj', '/CN=list.example.test'], { stdio: 'ignore' });
    const [cert, privkey] = await Promise.all([readFile(path.join(dir, 'c.pem'), 'utf8'), readFile(path.join(dir, 'k.pem'), 'utf8')]);
    const notBefore = new Date(Date.now() - day).toISOString();
    // Stored: all but UNSTORED, and one name the config no longer has; c20 failed its last renewal.
    for (const name of [...NAMES.filter((n) => !UNSTORED.has(n)), 'gone']) {
      await using lease = await store.lock(name, S());
      const domains = name === 'z3' ? [`${name}.example.test`, `www.${name}.example.test`] : [`${name}.example.test`];
      await store.save({ meta: { name, domains, keyType: 'ecdsa-p256', notBefore, notAfter: new Date(Date.now() + (name === 'c1' ? 5 : 89) * day).toISOString(), issuer: 'CN=test', serial: name, account: '', orderUrl: '', issuedAt: notBefore, directory: 'https://127.0.0.1:9/dir' }, pem: { cert, chain: '', fullchain: cert, privkey } }, lease, S());
      if (name === 'c20') await store.writeState(name, { failures: 2, lastResult: 'failed', lastAttempt: new Date().toISOString(), lastError: 'the CA said no' }, { lease }, S());
    }
    // live/c7 is a directory certfleet did not make; so is c30's, whose certificate is stored.
    await mkdir(path.join(storeDir, 'live', 'c7'));
    await rm(path.join(storeDir, 'live', 'c30'));
    await mkdir(path.join(storeDir, 'live', 'c30'));
    const big = path.join(dir, 'big.yaml');
    await writeFile(big, configText(storeDir, NAMES));

    const table = await certfleet('list', '--config', big);
    expect(table.code).toBe(0);
    const rows = cells(table.stdout);
    expect(rows[0]).toEqual(['NAME', 'DOMAINS', 'KEY', 'NOT AFTER', 'DAYS', 'NEXT RENEWAL', 'LAST RESULT', 'DEPLOY']);
    expect(rows.slice(1).map((r) => r[0])).toEqual(NAMES);
    // Every line padded to the header's columns: each cell starts where its column's title does.
    const lines = table.stdout.trimEnd().split('\n');
    const starts = (line: string, of: string[]) => { let end = 0; return of.map((c) => { const at = line.indexOf(c, end); end = at + c.length; return at; }); };
    const columns = starts(lines[0]!, rows[0]!);
    for (const [i, line] of lines.entries()) expect(starts(line, rows[i]!)).toEqual(columns.slice(0, rows[i]!.length));
    const row = (name: string) => rows.find((r) => r[0] === name)!;
    expect(row('z3')[1]).toBe('z3.example.test,www.z3.example.test');
    expect(row('c5').slice(3, 6)).toEqual(['-', '-', 'now']);
    expect(row('c7')).toContain("not certfleet's: live/<name> is a directory; move it away");
    expect(row('c20')[6]).toMatch(/^failed \d{4}-\d\d-\d\d \d\d:\d\d: the CA said no$/);
    expect(rows.some((r) => r[0] === 'gone')).toBe(false);

    // The first 150 entries alone (below the bulk read: a read per name) give the same rows.
    const small = path.join(dir, 'small.yaml');
    await writeFile(small, configText(storeDir, NAMES.slice(0, 150)));
    expect(NAMES.slice(0, 150).length).toBeLessThan(BULK_STATUSES_FROM);
    const smallRows = cells((await certfleet('list', '--config', small)).stdout);
    expect(smallRows.slice(1)).toEqual(rows.slice(1, 151));

    const failing = cells((await certfleet('list', '--config', big, '--failing')).stdout);
    expect(failing.slice(1).map((r) => r[0])).toEqual(['c20']);
    const expiring = cells((await certfleet('list', '--config', big, '--expiring', '30d')).stdout);
    expect(expiring.slice(1).map((r) => r[0])).toEqual(['c1']);
    const named = cells((await certfleet('list', '--config', big, '--name', 'c1?')).stdout);
    expect(named.slice(1).map((r) => r[0])).toEqual(NAMES.filter((n) => /^c1\d$/.test(n)));

    // --long reads the PEMs through live/: where that is not certfleet's, the row says so (it threw EINVAL from readlink).
    const long = await certfleet('list', '--config', big, '--long', '--name', 'c3?');
    expect(long.code).toBe(0);
    expect(long.stdout).toMatch(/^c30\n(?: {2}.*\n)* {2}certificate +not certfleet's: live\/<name> is a directory; move it away$/m);
    expect(long.stdout).toMatch(/^c31\n(?: {2}.*\n)* {2}serial +/m);

    // A reader that goes early (`| head`, a shell's pipe): the rest is dropped and list ends
    // quietly with 0 (it ended in an unhandled EPIPE stack trace). --long: more than a pipe holds.
    for (const extra of [['--long'], []]) {
      const piped = spawnSync('bash', ['-c', 'set -o pipefail; "$0" list --config "$1" "${@:2}" | head -1', CERTFLEET_BIN, big, ...extra], { encoding: 'utf8', env: { ...process.env, CERTFLEET_CONFIG: '' } });
      expect({ status: piped.status, stderr: piped.stderr }).toEqual({ status: 0, stderr: '' });
      expect(piped.stdout).toBe(extra.length ? `${NAMES[0]}\n` : `${table.stdout.split('\n')[0]}\n`);
    }

    const json = JSON.parse((await certfleet('list', '--config', big, '--json')).stdout) as { name: string; lastResult: string }[];
    expect(json.map((r) => r.name)).toEqual(NAMES);
    expect(json.find((r) => r.name === 'c20')?.lastResult).toMatch(/^failed .*: the CA said no$/);
  });
});
