import { runCertfleet, type CertfleetRun } from './support/run-certfleet.js';
import { lstat, readFile, readlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issuerKey } from '../src/issuer/acme-account.js';
import { findDebris } from './chaos/support/store-debris-finder.js';
import { makeCertbotStore, treeDigest } from './support/certbot-store.js';
import { startLocalStack, type LocalStack } from './support/local-stack.js';
import { findNginx, startNginx, type NginxServer } from './support/nginx-server.js';

const PEMS = ['cert', 'chain', 'fullchain', 'privkey'];
const LINEAGES = [
  { name: 'web', domains: ['example.test', 'www.example.test'], keyType: 'ecdsa' as const },
  { name: 'legacy', domains: ['legacy.example.test'], keyType: 'rsa' as const },
];
let stack: LocalStack;
let le: string;
/** nginx serving lineage web's certbot paths from before the switch (when Debian's nginx is on this host). */
let nginx: NginxServer | undefined;

beforeAll(async () => {
  stack = await startLocalStack(['example.test']);
  le = path.join(stack.dir, 'letsencrypt');
  // Two versions per lineage: certbot's live/ points at version 2, as after one renewal.
  await makeCertbotStore({ dir: le, pebble: stack.pebble, pdns: stack.pdns, zone: 'example.test', lineages: LINEAGES, renewals: 1 });
  const nginxBin = await findNginx();
  if (nginxBin) nginx = await startNginx(nginxBin, path.join(le, 'live', 'web', 'fullchain.pem'), path.join(le, 'live', 'web', 'privkey.pem'));
  else console.log('import certbot: no nginx on this host (CERTFLEET_TEST_NGINX or /usr/sbin/nginx): the live paths are compared by their bytes only');
}, 180_000);
afterAll(async () => {
  await nginx?.stop();
  await stack?.stop();
});

function certfleet(args: string[], env: Record<string, string> = {}): Promise<CertfleetRun> {
  return runCertfleet(args, { env });
}

/** What nginx reads: the bytes at live/<name>/<file>.pem of every lineage, by path. */
async function servedBytes(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const l of LINEAGES) for (const f of PEMS) out[`${l.name}/${f}`] = await readFile(path.join(le, 'live', l.name, `${f}.pem`), 'utf8');
  return out;
}

describe('certfleet import certbot DIR, on a store made by the real certbot against pebble', () => {
  it('adopts it in place: nothing ordered, the same bytes at the same paths, a config check-config accepts, and the next issue orders nothing', async () => {
    const served = await servedBytes();
    const servedByNginx = await nginx?.servedCertificate();
    const regr = JSON.parse(await readFile(path.join(le, 'accounts', new URL(stack.pebble.directoryUrl).host, 'dir', (await readFile(path.join(le, 'renewal', 'web.conf'), 'utf8')).match(/^account = (\w+)$/m)![1]!, 'regr.json'), 'utf8')) as { uri: string };

    // --dry-run: says what would change, changes nothing.
    const before = await treeDigest(le);
    const dry = await certfleet(['import', 'certbot', le, '--dry-run'], { REQUESTS_CA_BUNDLE: stack.pebble.caBundlePath });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stderr).toMatch(/live\/web: would switch certbot's directory to certfleet's link to live\/.versions\/web\/2/);
    expect(dry.stderr).toMatch(/dry run: nothing was changed/);
    expect(await treeDigest(le)).toBe(before);

    // While the import runs, a reader opens the live paths by name over and over, as nginx does on reload.
    let reads = 0;
    const wrong: string[] = [];
    let reading = true;
    const reader = (async () => {
      while (reading) {
        for (const [key, bytes] of Object.entries(served)) {
          const got = await readFile(path.join(le, 'live', `${key}.pem`), 'utf8').catch((err: Error) => err.message);
          reads++;
          if (got !== bytes) wrong.push(`${key}: ${got.slice(0, 80)}`);
        }
      }
    })();
    const imported = await certfleet(['import', 'certbot', le], { REQUESTS_CA_BUNDLE: stack.pebble.caBundlePath });
    reading = false;
    await reader;
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toBe(dry.stdout);
    console.log(`import certbot: ${reads} reads of the live paths during the import, ${wrong.length} wrong`);
    expect(wrong).toEqual([]);
    expect(await servedBytes()).toEqual(served);
    if (nginx) {
      // `systemctl reload nginx` after the switch: it reads the same paths and serves the same certificate.
      await nginx.reload();
      expect((await nginx.servedCertificate()).equals(servedByNginx!)).toBe(true);
      expect(await nginx.errors()).toBe('');
    }
    for (const l of LINEAGES) {
      expect((await lstat(path.join(le, 'live', l.name))).isSymbolicLink()).toBe(true);
      expect(await readlink(path.join(le, 'live', l.name))).toBe(`.versions/${l.name}/2`);
    }
    // certbot's own files stay (live/README, the renamed renewal confs); nothing of certfleet's is debris.
    expect((await findDebris(le)).filter((f) => f !== 'live/README' && !f.endsWith('.conf.certfleet'))).toEqual([]);
    // certbot's account is certfleet's now: the same ACME account renews.
    const account = JSON.parse(await readFile(path.join(le, 'accounts', issuerKey(stack.pebble.directoryUrl), 'account.json'), 'utf8')) as { url: string };
    expect(account.url).toBe(regr.uri);

    const config = path.join(stack.dir, 'certfleet.yaml');
    await writeFile(config, imported.stdout);
    const check = await certfleet(['check-config', '--config', config]);
    expect(check, check.stderr).toMatchObject({ code: 0, stdout: expect.stringMatching(/valid \(2 certificates, 1 DNS provider\)/) });

    const issue = await certfleet(['issue', '--config', config, '--log-format', 'json', '--log-level', 'debug']);
    expect(issue.code, issue.stderr).toBe(0);
    expect(issue.stdout).toMatch(/^web: skipped/m);
    expect(issue.stdout).toMatch(/^legacy: skipped/m);
    const orders = issue.stderr.split('\n').filter((l) => l.includes('"new_order"'));
    expect(orders).toEqual([]);
    expect(await servedBytes()).toEqual(served);

    // Run again: nothing left to do, the same config.
    const again = await certfleet(['import', 'certbot', le], { REQUESTS_CA_BUNDLE: stack.pebble.caBundlePath });
    expect(again).toMatchObject({ code: 0, stdout: imported.stdout, stderr: '' });
  }, 120_000);

  it('exit 2 with a clear message for a DIR that is not a certbot store', async () => {
    expect(await certfleet(['import', 'certbot', stack.dir])).toMatchObject({ code: 2, stderr: expect.stringMatching(/is not a certbot store \(like \/etc\/letsencrypt\): expected renewal\/ and archive\/ directories in it/) });
    expect(await certfleet(['import', 'certbot', path.join(stack.dir, 'nope')])).toMatchObject({ code: 2, stderr: expect.stringMatching(/nope is not a certbot store.*no such directory/) });
    expect(await certfleet(['import', 'certbot'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/import certbot needs one DIR/) });
  });
});
