import { runCertfleet, type CertfleetRun } from './support/run-certfleet.js';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localConfigText, startLocalStack, type LocalStack } from './support/local-stack.js';

let stack: LocalStack;
let dir: string;

beforeAll(async () => {
  stack = await startLocalStack(['example.test']);
  dir = stack.dir;
});
afterAll(() => stack?.stop());

function certfleet(...args: string[]): Promise<CertfleetRun> {
  return runCertfleet(args);
}

async function writeConfig(name: string, certs: string, apiKey = stack.pdns.apiKey): Promise<string> {
  const file = path.join(dir, `${name}.yaml`);
  await writeFile(file, localConfigText({ store: path.join(dir, name), pebble: stack.pebble, pdns: stack.pdns, apiKey, certs }));
  return file;
}

describe('bin/certfleet', () => {
  it('version: the package version, exit 0', async () => {
    const { version } = JSON.parse(await readFile(path.resolve(import.meta.dirname, '../package.json'), 'utf8')) as { version: string };
    expect(await certfleet('--version')).toMatchObject({ code: 0, stdout: `certfleet ${version}\n` });
  });
  it('issue: exit 0 when all succeed, then list shows the certificate', async () => {
    const file = await writeConfig('ok', '  - name: web\n    domains: [example.test, "*.example.test"]\n    dns: home\n');
    const issued = await certfleet('issue', '--config', file, '--log-format', 'json');
    expect(issued.code).toBe(0);
    expect(issued.stdout).toContain('web: issued');
    const list = await certfleet('list', '--config', file, '--json');
    expect(list.code).toBe(0);
    const rows = JSON.parse(list.stdout) as { name: string; domains: string[]; daysLeft: number; keyType: string }[];
    expect(rows).toMatchObject([{ name: 'web', domains: ['example.test', '*.example.test'], keyType: 'ecdsa-p256' }]);
    expect(rows[0]!.daysLeft).toBeGreaterThan(0);
    // A cron run with nothing due loads no network module: each was milliseconds of its start.
    const loaded = path.join(dir, 'modules.txt');
    const hook = path.join(dir, 'modules.cjs');
    await writeFile(hook, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(loaded)}, process.moduleLoadList.join('\\n')));\n`);
    const again = await runCertfleet(['issue', '--config', file, '--cert', 'web'], { env: { NODE_OPTIONS: `--require ${hook}` } });
    expect(again.stdout).toMatch(/^web: skipped \(a third of the lifetime left at /m);
    const modules = (await readFile(loaded, 'utf8')).split('\n');
    expect(modules).toContain('NativeModule sqlite');
    // (node:net is loaded all the same: Node's stdout on a pipe is a net.Socket.)
    expect(modules.filter((m) => /^NativeModule (http|https|tls|dns|dns\/promises|_http_\w+)$/.test(m))).toEqual([]);

    const revoked = await certfleet('revoke', '--config', file, '--cert', 'web', '--reason', 'superseded');
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toMatch(/^web: revoked \(serial [0-9A-F]+\)$/m);
    const twice = await certfleet('revoke', '--config', file, '--cert', 'web');
    expect(twice.code).toBe(1);
    expect(twice.stdout).toMatch(/alreadyRevoked/);
    expect((await certfleet('revoke', '--config', file, '--cert', 'web', '--reason', 'bogus')).code).toBe(2);
  });

  it("one-shot commands run from one-shot.cjs and keep a code cache per command, taken after the first run and then reused", async () => {
    const cache = await mkdtemp(path.join(tmpdir(), 'certfleet-code-cache-'));
    try {
      const file = await writeConfig('cached', '  - name: web\n    domains: [example.test]\n    dns: home\n');
      const env = { NODE_COMPILE_CACHE: cache };
      expect((await runCertfleet(['check-config', '--config', file], { env })).code).toBe(0);
      const dir = path.join(cache, 'certfleet');
      const [made] = await readdir(dir);
      expect(made).toMatch(/^check-config\.[0-9a-f]{16}\.v24\.[\d.]+-\w+\.v8cache$/);
      const first = await stat(path.join(dir, made!));
      expect(first.mode & 0o777).toBe(0o600);
      // Accepted by V8 the next time, so not written again.
      expect((await runCertfleet(['check-config', '--config', file], { env })).code).toBe(0);
      expect((await stat(path.join(dir, made!))).mtimeMs).toBe(first.mtimeMs);
      // `version` reads no config: it stays on the ES module chunks, with no cache of this kind.
      expect((await runCertfleet(['version'], { env })).code).toBe(0);
      expect(await readdir(dir)).toEqual([made]);
    } finally {
      await rm(cache, { recursive: true, force: true });
    }
  });
  it('issue: exit 1 when a certificate fails, and again while it waits out the backoff; one line each, without the API key', async () => {
    const file = await writeConfig('bad', '  - name: web\n    domains: [example.test]\n    dns: home\n', 'not-the-key-s3cr3t');
    const cause = 'PowerDNS provider home, zone example.test: API key refused \\(HTTP 401\\)';
    const next = '; next attempt after \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC \\(in \\d+ s\\)';
    const r = await certfleet('issue', '--config', file, '--log-format', 'json');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`^web: FAILED: no certificate; this attempt failed: ${cause}${next}\\n$`));
    expect(r.stdout + r.stderr).not.toContain('s3cr3t');
    // The log's failure line says when the retry comes too.
    const failed = r.stderr.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'failed');
    expect(failed).toMatchObject({ cert: 'web', failures: 1, next_attempt_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    // The next run skips it (backoff), but there is still no certificate: not a success.
    const again = await certfleet('issue', '--config', file, '--log-format', 'json');
    expect(again.code).toBe(1);
    expect(again.stdout).toMatch(new RegExp(`^web: FAILED: no certificate; last attempt failed (just now|\\d+ s ago): ${cause}${next}\\n$`));
  });

  it('exit 2 for usage and config errors, with file:line:column', async () => {
    expect((await certfleet('issue')).code).toBe(2);
    expect((await certfleet('issue', '--config', path.join(dir, 'ok.yaml'), '--cert', 'nope')).code).toBe(2);
    const file = path.join(dir, 'broken.yaml');
    await writeFile(file, 'acme:\n  directory: http://insecure.example/dir\ndns:\n  providers: {}\ncertificates:\n  - domains: [example.test]\n    dns: home\n    key_type: dsa\n');
    const r = await certfleet('issue', '--config', file);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}:2:14: acme.directory: expected letsencrypt, letsencrypt-staging, zerossl, google or an https URL`);
    expect(r.stderr).toContain(`${file}:8:15: certificates[0].key_type: `);
  });

  it('dns-test: locate, write, propagation, delete with timings; exit 0; nothing left', async () => {
    const file = await writeConfig('dnstest', '  []\n');
    const r = await certfleet('dns-test', '--config', file, '--provider', 'home', '--domain', 'www.example.test', '--log-format', 'json');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').filter(Boolean)).toEqual([
      expect.stringMatching(/^locate +ok +\d+\.\d{3}\ss\s{2}_acme-challenge\.www\.example\.test in zone example\.test$/),
      expect.stringMatching(/^write +ok +\d+\.\d{3}\ss\s{2}TXT _acme-challenge\.www\.example\.test "certfleet-dns-test-[0-9a-f]{12}" through provider home \(powerdns\)$/),
      expect.stringMatching(/^propagation ok +\d+\.\d{3}\ss\s{2}seen on every authoritative server: 127\.0\.0\.1:\d+$/),
      expect.stringMatching(/^delete +ok +\d+\.\d{3}\ss\s{2}TXT _acme-challenge\.www\.example\.test removed$/),
    ]);
    const zone = await (await fetch(`${stack.pdns.apiUrl}/api/v1/servers/localhost/zones/example.test.`, { headers: { 'x-api-key': stack.pdns.apiKey } })).json() as { rrsets: { type: string }[] };
    expect(zone.rrsets.filter((x) => x.type === 'TXT')).toEqual([]);
  });

  it('dns-test: a refused key fails the write (and the delete), exit 1, the key never printed', async () => {
    const file = await writeConfig('dnstest-bad', '  []\n', 'refused-key-s3cr3t');
    const r = await certfleet('dns-test', '--config', file, '--provider', 'home', '--domain', 'example.test', '--log-format', 'json');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^write +FAIL .*API key refused \(HTTP 401\)$/m);
    expect(r.stdout).not.toMatch(/^propagation/m);
    expect(r.stdout).toMatch(/^delete +FAIL /m);
    expect(r.stdout + r.stderr).not.toContain('s3cr3t');
    expect((await certfleet('dns-test', '--config', file, '--provider', 'nope', '--domain', 'example.test')).code).toBe(2);
  });

  it('production mode refuses an insecure config with one error listing every problem (issue, run, webhook)', async () => {
    const file = path.join(dir, 'prod.yaml');
    await writeFile(file, `mode: production\nacme: { directory: letsencrypt-staging }\nstore: { path: ${path.join(dir, 'prodstore')} }\ndns:\n  providers:\n    home: { type: powerdns, api_url: "http://pdns.example.com:8081", api_key: changeme }\ncertificates:\n  - domains: [example.test]\n    dns: home\nwebhook: { provider: home }\n`);
    // Running the suite as root is one more problem.
    const root = process.getuid?.() === 0;
    for (const command of ['issue', 'run', 'webhook']) {
      const r = await certfleet(command, '--config', file, '--log-format', 'json');
      expect(r.code, command).toBe(2);
      expect(r.stderr).toContain(`refusing to start in production mode; fix these ${root ? 6 : 5} problems:`);
      expect(r.stderr).toMatch(/- dns\.providers\.home\.api_url is plain http/);
      expect(r.stderr).toMatch(/- dns\.providers\.home\.api_key is a placeholder value\n {4}fix: /);
      expect(r.stderr).toMatch(/- dns\.providers\.home\.api_key is written in the config file\n {4}fix: move it to a secret file \(api_key_file: PATH, mode 0600\)/);
      expect(r.stderr).toMatch(/- acme\.directory is a staging CA/);
      expect(r.stderr).toMatch(/- account keys are stored unencrypted/);
      if (root) expect(r.stderr).toMatch(/- running as root\n/);
    }
  });
});
