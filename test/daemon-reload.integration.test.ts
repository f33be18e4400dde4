import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Daemon } from '../src/daemon/daemon.js';
import { createLogger, Redactor } from '../src/log.js';
import { FileStore } from '../src/store/file-store.js';
import { freePort } from './support/free-port.js';
import { localConfigText, startLocalStack, type LocalStack } from './support/local-stack.js';
import { registerOutput } from './support/secret-scan.js';
import { captureLog, type CapturedLog } from './support/test-log.js';

const S = () => AbortSignal.timeout(10_000);

let stack: LocalStack;
beforeAll(async () => { stack = await startLocalStack(['example.test']); });
afterAll(() => stack?.stop());

const cert = (n: string, extra = '') => `  - name: ${n}\n    domains: [${n}.example.test]\n    dns: home\n${extra}`;
const text = (store: string, certs: string, top = '') => localConfigText({
  store, pebble: stack.pebble, pdns: stack.pdns, certs, extraTop: `server:\n  listen: 127.0.0.1:0\n${top}`,
});

function until(cap: CapturedLog, match: (r: Record<string, unknown>) => boolean, from = 0, ms = 20_000): Promise<Record<string, unknown>> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const look = () => {
      const hit = cap.records().slice(from).find(match);
      if (hit) return resolve(hit);
      if (Date.now() - started > ms) return reject(new Error(`not seen; last: ${cap.lines.slice(-5).join('')}`));
      setTimeout(look, 20);
    };
    look();
  });
}

describe('Daemon reload (in process)', () => {
  it('listens before it plans the stored certificates: /readyz does not wait for a big store', async () => {
    const store = path.join(stack.dir, 'listen-first');
    const file = path.join(stack.dir, 'listen-first.yaml');
    await writeFile(file, text(store, cert('l1')));
    const cap = captureLog();
    const d = await Daemon.start({ configFile: file, log: cap.log, redactor: cap.redactor });
    try {
      const msgs = cap.records().map((r) => r.msg);
      expect(msgs).toContain('planned');
      expect(msgs.indexOf('http_listening')).toBeLessThan(msgs.indexOf('planned'));
      expect((await fetch(`${d.address}/readyz`)).status).toBe(200);
      // Embedded in another process (this test's), the daemon leaves that process's heap alone.
      await until(cap, (r) => r.msg === 'settled');
      expect(cap.records().map((r) => r.msg)).not.toContain('heap_compacted');
    } finally {
      await d.stop();
    }
  });

  it('outside production mode, warns of a stored key with a wide mode once started, and not again at an edit', async () => {
    const store = path.join(stack.dir, 'keys');
    const file = path.join(stack.dir, 'keys.yaml');
    const key = path.join(store, 'archive', 'old', 'privkey1.pem');
    await mkdir(path.dirname(key), { recursive: true });
    await writeFile(key, 'x', { mode: 0o644 });
    const { chmod } = await import('node:fs/promises');
    await chmod(key, 0o644);
    await writeFile(file, text(store, cert('k1')));
    const cap = captureLog();
    const d = await Daemon.start({ configFile: file, log: cap.log, redactor: cap.redactor });
    try {
      const wide = (r: Record<string, unknown>) => r.msg === 'security_finding' && String(r.problem).includes('privkey1.pem has mode 644');
      await until(cap, wide);
      const mark = cap.lines.length;
      await writeFile(file, text(store, cert('k1') + cert('k2')));
      await until(cap, (r) => r.msg === 'config_reloaded', mark);
      expect(cap.records().slice(mark).filter(wide)).toEqual([]);
    } finally {
      await d.stop();
    }
  });

  it('re-issues a changed certificate, forgets and revokes a removed one, and reloads on demand', async () => {
    const store = path.join(stack.dir, 'r1');
    const file = path.join(stack.dir, 'r1.yaml');
    await writeFile(file, text(store, cert('keep') + cert('grow') + cert('drop'), 'scheduler:\n  revoke_removed: true\n  concurrency: 2\n'));
    const cap = captureLog();
    const d = await Daemon.start({ configFile: file, log: cap.log, redactor: cap.redactor });
    try {
      for (const n of ['keep', 'grow', 'drop']) await until(cap, (r) => r.msg === 'issued' && r.cert === n);
      const dropped = (await new FileStore({ root: store }).load('drop', S()))!;

      // `grow` gains a name, `drop` goes: only `grow` is issued again, `drop` is revoked.
      const mark = cap.lines.length;
      await writeFile(file, text(store, cert('keep') + '  - name: grow\n    domains: [grow.example.test, www.grow.example.test]\n    dns: home\n', 'scheduler:\n  revoke_removed: true\n'));
      expect(await until(cap, (r) => r.msg === 'config_reloaded', mark)).toMatchObject({ added: [], changed: ['grow'], removed: ['drop'] });
      await until(cap, (r) => r.msg === 'renewed' && r.cert === 'grow', mark);
      await until(cap, (r) => r.msg === 'revoked_removed' && r.cert === 'drop', mark);
      expect(cap.records().slice(mark).filter((r) => r.cert === 'keep')).toEqual([]);
      expect((await new FileStore({ root: store }).readMeta('grow', S()))!.domains).toEqual(['grow.example.test', 'www.grow.example.test']);
      // The removed certificate stays on disk.
      expect(await readFile(path.join(store, 'live', 'drop', 'cert.pem'), 'utf8')).toBe(dropped.pem.cert);

      // Nothing changed: a forced reload (SIGHUP) reports no work.
      const again = cap.lines.length;
      await d.reload();
      expect(await until(cap, (r) => r.msg === 'config_reloaded', again)).toMatchObject({ added: [], changed: [], removed: [] });
    } finally {
      await d.stop();
    }
    expect(cap.records().at(-1)).toMatchObject({ msg: 'stopped' });
  });
});

describe('production mode at every reload', () => {
  const KEY_VAR = 'CERTFLEET_TEST_PDNS_KEY';
  /** A production config that passes every check; `o` makes it insecure in one way. */
  const prod = (dir: string, certs: string, o: { directory?: string; apiKey?: string; apiUrl?: string; storeKey?: boolean; mode?: string } = {}) => localConfigText({
    store: path.join(dir, 'store'), pebble: stack.pebble, pdns: { ...stack.pdns, apiUrl: o.apiUrl ?? stack.pdns.apiUrl }, certs,
    apiKey: o.apiKey ?? `\${${KEY_VAR}}`, ...(o.directory ? { directory: o.directory } : {}),
    // Relative to the config file (issue 13 item 18): the test's working directory is elsewhere.
    extraTop: `${o.storeKey === false ? '' : '  encryption_key_file: store.key\n'}server:\n  listen: 127.0.0.1:0\nmode: ${o.mode ?? 'production'}\n`,
  });
  const saveByRename = async (file: string, text: string) => {
    await writeFile(`${file}.tmp`, text);
    await rename(`${file}.tmp`, file);
  };
  async function modes(root: string): Promise<{ file: string; mode: number }[]> {
    const out: { file: string; mode: number }[] = [];
    for (const e of await readdir(root, { withFileTypes: true, recursive: true })) {
      // A link's own mode means nothing (fences/ links hold a token, not a path); what live/ links point to is walked itself.
      if (e.isSymbolicLink()) continue;
      const p = path.join(e.parentPath, e.name);
      out.push({ file: path.relative(root, p), mode: (await stat(p)).mode & 0o777 });
    }
    return out;
  }

  it('refuses each insecure reload, keeps the last good config running, counts and logs each with its findings', async () => {
    const dir = path.join(stack.dir, 'prod');
    await mkdir(dir);
    await writeFile(path.join(dir, 'store.key'), randomBytes(32).toString('base64'), { mode: 0o600 });
    const file = path.join(dir, 'certfleet.yaml');
    await writeFile(file, prod(dir, cert('base')));
    const cap = captureLog();
    // uid 1000: the suite may run as root, which production mode refuses on its own.
    const d = await Daemon.start({ configFile: file, log: cap.log, redactor: cap.redactor, env: { [KEY_VAR]: stack.pdns.apiKey }, uid: 1000 });
    try {
      await until(cap, (r) => r.msg === 'issued' && r.cert === 'base');
      // Each bad config also adds a certificate: had it been applied, that one would be issued.
      const extra = (n: string, deploy = '') => cert('base') + cert(n, deploy);
      const insecure: [string, string, RegExp][] = [
        ['self-signed CA', prod(dir, extra('x1'), { directory: 'selfsigned' }), /^acme\.directory is selfsigned/],
        ['api_key: changeme', prod(dir, extra('x2'), { apiKey: 'changeme' }), /^dns\.providers\.home\.api_key is a placeholder value/],
        ['plain http', prod(dir, extra('x3'), { apiUrl: 'http://pdns.example.net:8081' }), /^dns\.providers\.home\.api_url is plain http to pdns\.example\.net/],
        ['no store key', prod(dir, extra('x4'), { storeKey: false }), /^account keys are stored unencrypted/],
        ['files_mode 0666', prod(dir, extra('x5', '    deploy:\n      - permissions: { files_mode: "0666" }\n')), /permissions\.files_mode 666 makes private keys readable/],
        ['dirs_mode 0777', prod(dir, extra('x6', '    deploy:\n      - permissions: { dirs_mode: "0777" }\n')), /permissions\.dirs_mode 777 lets group or others replace/],
        ['leaving production mode', prod(dir, extra('x7', '    deploy:\n      - permissions: { files_mode: "0666" }\n'), { mode: 'development' }), /^the new config leaves production mode/],
      ];
      for (const [what, text, finding] of insecure) {
        const mark = cap.lines.length;
        await saveByRename(file, text);
        const refused = await until(cap, (r) => r.msg === 'config_insecure_keeping_last_good', mark);
        expect(refused.findings, what).toContainEqual({ problem: expect.stringMatching(finding), fix: expect.any(String) });
      }
      // SIGHUP on the last bad file: refused again, the same way.
      const hup = cap.lines.length;
      await d.reload();
      expect(await until(cap, (r) => r.msg === 'config_insecure_keeping_last_good', hup)).toMatchObject({ findings: expect.arrayContaining([expect.objectContaining({ problem: expect.stringMatching(/leaves production mode/) })]) });

      const metrics = await (await fetch(`${d.address}/metrics`)).text();
      expect(metrics).toMatch(new RegExp(`^certfleet_config_reloads_total\\{result="failure"\\} ${insecure.length + 1}$`, 'm'));
      expect(metrics).not.toMatch(/^certfleet_config_reloads_total\{result="success"\}/m);
      expect(cap.records().filter((r) => r.msg === 'config_reloaded' || r.msg === 'obtaining').map((r) => r.cert)).toEqual(['base']);

      // A good edit after all that is compared with the last good config: only the new certificate.
      const good = cap.lines.length;
      await saveByRename(file, prod(dir, cert('base') + cert('later')));
      expect(await until(cap, (r) => r.msg === 'config_reloaded', good)).toMatchObject({ added: ['later'], changed: [], removed: [] });
      await until(cap, (r) => r.msg === 'issued' && r.cert === 'later', good);
    } finally {
      await d.stop();
    }
    // Nothing was written with the refused settings: no x* certificate, no wide mode, the account key encrypted.
    const store = path.join(dir, 'store');
    expect((await readdir(path.join(store, 'live'))).filter((n) => !n.startsWith('.')).sort()).toEqual(['base', 'later']);
    const all = await modes(store);
    expect(all.filter((m) => (m.mode & 0o022) !== 0)).toEqual([]);
    expect(all.filter((m) => /privkey/.test(m.file) && (m.mode & 0o077) !== 0)).toEqual([]);
    const accountKeys = all.filter((m) => /^accounts\/.+\/private_key\.pem$/.test(m.file));
    expect(accountKeys.length).toBeGreaterThan(0);
    for (const a of accountKeys) expect(await readFile(path.join(store, a.file), 'utf8')).toMatch(/^certfleet-aes-256-gcm-v1:/);
  });
});

describe('a stop during the start', () => {
  it('closes what was started (the port is free again), runs no job and rejects with the signal', async () => {
    const port = await freePort();
    const file = path.join(stack.dir, 'early.yaml');
    await writeFile(file, localConfigText({ store: path.join(stack.dir, 'early'), pebble: stack.pebble, pdns: stack.pdns, certs: cert('early'), extraTop: `server:\n  listen: 127.0.0.1:${port}\n` }));
    const lines: string[] = [];
    registerOutput(lines);
    const starting = new AbortController();
    const redactor = new Redactor();
    // The signal arrives the moment the HTTP server listens: in the middle of Daemon.start.
    const log = createLogger({ format: 'json', level: 'debug', redactor, out: { write: (t: string) => { lines.push(t); if (t.includes('"http_listening"')) starting.abort(new Error('SIGTERM')); } } });
    await expect(Daemon.start({ configFile: file, log, redactor }, starting.signal)).rejects.toThrow('SIGTERM');
    const msgs = lines.map((l) => (JSON.parse(l) as { msg: string }).msg);
    expect(msgs).toEqual(expect.arrayContaining(['http_listening', 'stopping', 'stopped']));
    expect(msgs).not.toContain('started');
    expect(msgs).not.toContain('obtaining');
    await new Promise<void>((resolve, reject) => {
      const probe = createServer().once('error', reject);
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
    });
  });
});
