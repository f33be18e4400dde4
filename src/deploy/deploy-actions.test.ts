import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import { lstat, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localDirectory, savedCertificate } from '../../test/support/saved-certificate.js';
import { registerSecret } from '../../test/support/secret-scan.js';
import { captureLog } from '../../test/support/test-log.js';
import { CopyAction } from './copy-action.js';
import type { CertificatePaths } from '../store/certificate-store.js';
import type { CertificateEvent } from './deploy-action.js';
import { dnsProfile, HookAction, hookEnvironment } from './hook-action.js';
import { PermissionsAction } from './permissions-action.js';
import { PfxAction } from './pfx-action.js';
import { runDeploy } from './run-deploy.js';
import { webhookSignature, WebhookAction } from './webhook-action.js';

const run = promisify(execFile);
const hookScript = path.resolve(import.meta.dirname, '../../test/fixtures/record-hook.mjs');
let dir: string;
let event: CertificateEvent;
let storeRoot: string;
let paths: CertificatePaths;

/** A store with one real certificate (openssl self-signed) saved through FileStore. */
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'certfleet-deploy-'));
  await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${dir}/k.pem`, '-out', `${dir}/c.pem`, '-days', '30', '-subj', '/CN=web.example.test']);
  const [cert, key] = await Promise.all([readFile(`${dir}/c.pem`, 'utf8'), readFile(`${dir}/k.pem`, 'utf8')]);
  const domains = ['web.example.test', '*.web.example.test'];
  const { store, certificate } = await savedCertificate(path.join(dir, 'store'), { cert, chain: '', fullchain: cert, privkey: key }, { domains });
  event = { event: 'renewed', name: 'web', domains, profile: 'home', certificate, local: store };
  storeRoot = store.root;
  paths = store.paths('web');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const ctx = (log = captureLog().log) => ({ log, signal: AbortSignal.timeout(20_000) });
const hookLines = async (f: string) => (await readFile(f, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { argv: string[]; env: Record<string, string>; cwd: string });

describe('hook', () => {
  it('passes shell syntax literally (no shell), with certfleet, certbot and DNSroboCert variables', async () => {
    const logFile = path.join(dir, 'hook.log');
    process.env.HOOK_LOG = logFile;
    const marker = path.join(dir, 'pwned');
    const nasty = [`; touch ${marker}`, `$(touch ${marker})`, `\`touch ${marker}\``, `a\ntouch ${marker}`, '*', '~'];
    await new HookAction({ argv: [process.execPath, hookScript, ...nasty], cwd: dir, passEnv: ['HOOK_LOG'] }, 10_000, false).run(event, ctx());
    const [line] = await hookLines(logFile);
    expect(line!.argv).toEqual(nasty);
    expect(line!.cwd).toBe(dir);
    await expect(stat(marker)).rejects.toThrow(/ENOENT/);
    expect(line!.env).toMatchObject({
      CERTFLEET_CERT_NAME: 'web', CERTFLEET_DOMAINS: 'web.example.test,*.web.example.test', CERTFLEET_EVENT: 'renewed',
      CERTFLEET_LIVE_DIR: paths.liveDir, CERTFLEET_CERT_PATH: paths.cert, CERTFLEET_KEY_PATH: paths.privkey, CERTFLEET_FULLCHAIN_PATH: paths.fullchain,
      RENEWED_LINEAGE: paths.liveDir, RENEWED_DOMAINS: 'web.example.test *.web.example.test',
      DNSROBOCERT_CERTIFICATE_NAME: 'web', DNSROBOCERT_CERTIFICATE_DOMAINS: 'web.example.test,*.web.example.test',
      DNSROBOCERT_CERTIFICATE_PROFILE: 'home',
    });
    expect(Object.keys(hookEnvironment(event))).toHaveLength(14);
  });

  it('DNSROBOCERT_CERTIFICATE_PROFILE is the provider id: dns itself, or the first domain\'s provider in a per-domain map', () => {
    expect(dnsProfile('home', ['a.example.test'])).toBe('home');
    const map = { 'example.test': 'main', 'shop.example.test': 'shop', 'other.test': 'third' };
    expect(dnsProfile(map, ['*.shop.example.test', 'www.example.test'])).toBe('shop');
    expect(dnsProfile(map, ['www.example.test', 'shop.example.test'])).toBe('main');
    expect(dnsProfile(map, ['other.test'])).toBe('third');
  });

  it('a failing hook: exit code in the error, output only in the redacted log; a hanging hook is killed; missing and non-executable programs are named', async () => {
    process.env.HOOK_LOG = path.join(dir, 'hook.log');
    const secret = 'hook-secret-9876543210';
    registerSecret(secret);
    process.env.CERTFLEET_TEST_SECRET = secret;
    process.env.HOOK_MODE = 'fail';
    const cap = captureLog([secret]);
    try {
      await expect(new HookAction({ argv: [process.execPath, hookScript], passEnv: ['HOOK_LOG', 'HOOK_MODE', 'CERTFLEET_TEST_SECRET'] }, 10_000, false).run(event, ctx(cap.log))).rejects.toMatchObject({ code: 'DEPLOY_FAILED', message: expect.stringMatching(/^hook .*node: exited with 4; its output is in the log$/) });
      expect(cap.lines.join('')).toContain('remote said no, token=[redacted]');
      process.env.HOOK_MODE = 'hang';
      const t0 = performance.now();
      await expect(new HookAction({ argv: [process.execPath, hookScript], passEnv: ['HOOK_LOG', 'HOOK_MODE'] }, 300, false).run(event, ctx())).rejects.toThrow(/timed out after 300 ms and was killed/);
      expect(performance.now() - t0).toBeLessThan(5000);
    } finally {
      delete process.env.HOOK_MODE;
      delete process.env.CERTFLEET_TEST_SECRET;
    }
    await expect(new HookAction({ argv: ['/nonexistent/reload'] }, 1000, false).run(event, ctx())).rejects.toThrow('hook /nonexistent/reload: cannot start: no such program');
    const notExec = path.join(dir, 'not-exec.sh');
    await writeFile(notExec, '#!/bin/sh\n', { mode: 0o644 });
    await expect(new HookAction({ argv: [notExec] }, 1000, false).run(event, ctx())).rejects.toThrow(/cannot start: not executable/);
  });
});

describe('permissions', () => {
  it('changes only what differs: a second run makes no chmod and no chown', async () => {
    // Tests run as root here, so a real chown to another group is possible.
    const group = process.getuid?.() === 0 ? 'nogroup' : String(process.getgid!());
    const a = new PermissionsAction({ filesMode: 0o640, dirsMode: 0o750, group }, 10_000, false);
    await a.run(event, ctx());
    expect(a.lastChanges.chmod.length).toBeGreaterThan(4);
    if (group === 'nogroup') expect(a.lastChanges.chown.length).toBeGreaterThan(4);
    expect((await stat(path.join(storeRoot, 'archive', 'web', 'privkey1.pem'))).mode & 0o777).toBe(0o640);
    expect((await stat(path.join(storeRoot, 'archive', 'web'))).mode & 0o777).toBe(0o750);
    await a.run(event, ctx());
    expect(a.lastChanges).toEqual({ chmod: [], chown: [] });
  });

  it('never follows a symlink and tolerates a broken one', async () => {
    const outside = path.join(dir, 'outside.txt');
    await writeFile(outside, 'x', { mode: 0o600 });
    await symlink(outside, path.join(storeRoot, 'archive', 'web', 'evil.pem'));
    await symlink(path.join(dir, 'gone'), path.join(storeRoot, 'archive', 'web', 'broken.pem'));
    const a = new PermissionsAction({ filesMode: 0o644 }, 10_000, false);
    await a.run(event, ctx());
    expect((await stat(outside)).mode & 0o777).toBe(0o600);
    expect((await lstat(path.join(storeRoot, 'archive', 'web', 'broken.pem'))).isSymbolicLink()).toBe(true);
    expect(a.lastChanges.chmod.some((p) => p.endsWith('evil.pem') || p.endsWith('broken.pem'))).toBe(false);
  });

  it.skipIf(process.getuid?.() !== 0)('takes a numeric uid and gid, also one that no passwd or group entry names (as root: chown to others)', async () => {
    const a = new PermissionsAction({ user: 4242, group: 4343 }, 10_000, false);
    await a.run(event, ctx());
    const st = await stat(paths.privkey);
    expect([st.uid, st.gid]).toEqual([4242, 4343]);
    expect(a.describe).toBe('permissions 4242 4343');
    // Root's ids are numbers too: 0 is an id, not "unset".
    const root = new PermissionsAction({ user: 0, group: 0 }, 10_000, false);
    await root.run(event, ctx());
    expect(root.lastChanges.chown.length).toBeGreaterThan(0);
    expect([(await stat(paths.privkey)).uid, (await stat(paths.privkey)).gid]).toEqual([0, 0]);
  });

  it('an unknown user is a clear error', async () => {
    await expect(new PermissionsAction({ user: 'no-such-user-xyz' }, 10_000, false).run(event, ctx())).rejects.toThrow('no user named "no-such-user-xyz" in /etc/passwd');
  });
});

describe('pfx', () => {
  it('writes live/<name>/cert.pfx that openssl opens with the passphrase and refuses without it; legacy too', async () => {
    const pass = 'pfx-passphrase-1234';
    registerSecret(pass);
    await new PfxAction(pass, false, 20_000, false).run(event, ctx());
    const pfx = path.join(paths.liveDir, 'cert.pfx');
    expect((await stat(pfx)).mode & 0o777).toBe(0o600);
    const info = await run('openssl', ['pkcs12', '-in', pfx, '-info', '-noout', '-passin', `pass:${pass}`]);
    expect(info.stderr).toMatch(/PBES2, PBKDF2, AES-256-CBC/);
    expect(info.stderr).toMatch(/MAC: sha256/);
    await expect(run('openssl', ['pkcs12', '-in', pfx, '-noout', '-passin', 'pass:wrong'])).rejects.toThrow(/mac verify failure|invalid password/i);
    await new PfxAction(pass, true, 20_000, false).run(event, ctx());
    const legacy = await run('openssl', ['pkcs12', '-in', pfx, '-info', '-noout', '-legacy', '-passin', `pass:${pass}`]);
    expect(legacy.stderr).toMatch(/pbeWithSHA1And3-KeyTripleDES-CBC/);
  });
});

describe('pfx without a passphrase', () => {
  it('writes an unencrypted cert.pfx (plain key bag, 0600) that opens with no password, legacy too', async () => {
    const pfx = path.join(paths.liveDir, 'cert.pfx');
    for (const legacy of [false, true]) {
      await new PfxAction(undefined, legacy, 20_000, false).run(event, ctx());
      expect((await stat(pfx)).mode & 0o777).toBe(0o600);
      const info = await run('openssl', ['pkcs12', '-in', pfx, '-info', '-noout', '-passin', 'pass:', ...(legacy ? ['-legacy'] : [])]);
      // "Key bag", not "Shrouded Keybag": the key is not encrypted at all.
      expect(info.stderr).toMatch(/^Key bag$/m);
      expect(info.stderr).not.toMatch(/Shrouded|PBES2|pbeWith/);
      const pem = await run('openssl', ['pkcs12', '-in', pfx, '-nodes', '-passin', 'pass:', ...(legacy ? ['-legacy'] : [])]);
      expect(pem.stdout).toContain('BEGIN PRIVATE KEY');
      expect(pem.stdout).toContain(event.certificate.pem.cert.trim().split('\n')[1]);
    }
  });
});

describe('copy', () => {
  it('writes fullchain, key and a HAProxy combined file with their mode', async () => {
    const out = path.join(dir, 'out');
    await new CopyAction({ fullchain: `${out}/fc.pem`, privkey: `${out}/key.pem`, combined: `${out}/haproxy.pem`, mode: 0o640 }, 10_000, false).run(event, ctx());
    const [fc, key, combined] = await Promise.all([`${out}/fc.pem`, `${out}/key.pem`, `${out}/haproxy.pem`].map((f) => readFile(f, 'utf8')));
    expect(combined).toBe(`${fc!.trimEnd()}\n${key!}`);
    expect(combined).toMatch(/BEGIN CERTIFICATE[\s\S]*BEGIN PRIVATE KEY/);
    expect((await stat(`${out}/haproxy.pem`)).mode & 0o777).toBe(0o640);
  });
});

describe('copy from the certificate', () => {
  it('writes the PEMs the event carries: a host whose local directory holds nothing yet gets them too', async () => {
    const out = path.join(dir, 'elsewhere');
    const empty = localDirectory(path.join(dir, 'empty-store'));
    await new CopyAction({ fullchain: `${out}/fc.pem`, privkey: `${out}/key.pem`, mode: 0o600 }, 10_000, false).run({ ...event, local: empty }, ctx());
    expect(await readFile(`${out}/fc.pem`, 'utf8')).toBe(event.certificate.pem.fullchain);
    expect(await readFile(`${out}/key.pem`, 'utf8')).toBe(event.certificate.pem.privkey);
  });
});

describe('webhook', () => {
  it('signs the body with HMAC-SHA256, retries a 500, and reports an endpoint that is down', async () => {
    const seen: { sig: string; body: string }[] = [];
    let calls = 0;
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => { body += c.toString(); });
      req.on('end', () => {
        calls++;
        if (calls === 1) return res.writeHead(500).end();
        seen.push({ sig: String(req.headers['x-certfleet-signature']), body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`;
    try {
      await new WebhookAction(url, 'shared-secret', 5000, false).run(event, ctx());
      expect(calls).toBe(2);
      expect(seen[0]!.sig).toBe(webhookSignature('shared-secret', seen[0]!.body));
      expect(JSON.parse(seen[0]!.body)).toEqual({ event: 'renewed', certificate: 'web', domains: event.domains, not_after: event.certificate.meta.notAfter });
    } finally {
      server.close();
    }
    await expect(new WebhookAction('http://127.0.0.1:1/x', undefined, 1000, false).run(event, ctx())).rejects.toThrow(/^webhook to 127\.0\.0\.1:1: .* \(after 3 attempts\)$/);
  });
});

describe('runDeploy', () => {
  it('runs in order; a failure does not stop the next action unless it is required', async () => {
    process.env.HOOK_LOG = path.join(dir, 'order.log');
    const hook = (tag: string) => new HookAction({ argv: [process.execPath, hookScript, tag], passEnv: ['HOOK_LOG'] }, 10_000, false);
    const failing = (required: boolean) => new HookAction({ argv: ['/nonexistent/x'] }, 1000, required);
    const r1 = await runDeploy([hook('1'), failing(false), hook('2')], event, captureLog().log, AbortSignal.timeout(20_000));
    expect(r1.map((r) => r.result)).toEqual(['ok', 'failed', 'ok']);
    expect((await hookLines(process.env.HOOK_LOG)).map((l) => l.argv[0])).toEqual(['1', '2']);
    const r2 = await runDeploy([failing(true), hook('3')], event, captureLog().log, AbortSignal.timeout(20_000));
    expect(r2.map((r) => r.result)).toEqual(['failed', 'skipped']);
    expect(r2[1]!.error).toBe('skipped: required action hook /nonexistent/x failed');
  });
});
