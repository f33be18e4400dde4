import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { chmod, chown, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localConfigText, startLocalStack, type LocalStack } from './support/local-stack.js';
import { PODMAN_GLOBAL, PODMAN_RUN, podmanAvailable } from './support/podman-engine.js';
import { registerOutput, registerSecret } from './support/secret-scan.js';

const exec = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');
const UID = 1000;
const available = await podmanAvailable();
const { version } = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as { version: string };
const IMAGE = `localhost/certfleet:${version}-ci`;
// How the image is meant to run (docs/deployment.md): non-root, read-only root, nothing but the store writable.
const HARDENED = ['--read-only', '--tmpfs', '/tmp:rw,noexec,nosuid,size=16m', '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges'];

interface Result { code: number; stdout: string; stderr: string }
async function podman(...args: string[]): Promise<Result> {
  try {
    const { stdout, stderr } = await exec('podman', [...PODMAN_GLOBAL, ...args], { maxBuffer: 256 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

// The real image, built from the Dockerfile on a base assembled here (no registry is reachable), run by podman.
describe.skipIf(!available)('the container image', () => {
  let stack: LocalStack;
  let files: string[];

  beforeAll(async () => {
    const { stdout } = await exec(path.join(root, 'scripts/base-image.sh'), { cwd: root, maxBuffer: 16 * 1024 * 1024 });
    const base = stdout.trim().split('\n').at(-1)!;
    // A TLS-intercepting proxy in front of the registry (as on this machine) is trusted through a build secret.
    const extraCa = process.env.NODE_EXTRA_CA_CERTS ? ['--secret', `id=extra_ca,src=${process.env.NODE_EXTRA_CA_CERTS}`] : [];
    const build = await podman('build', '--isolation=chroot', '--format', 'docker', '--network', 'host', ...extraCa,
      '--build-arg', `BASE_IMAGE=${base}`, '-t', IMAGE, root);
    if (build.code !== 0) throw new Error(`podman build failed:\n${build.stderr.slice(-4000)}`);
    const created = await podman('create', IMAGE);
    const id = created.stdout.trim();
    const exported = await exec('sh', ['-c', `podman ${PODMAN_GLOBAL.join(' ')} export ${id} | tar -t`], { maxBuffer: 256 * 1024 * 1024 });
    await podman('rm', id);
    files = exported.stdout.split('\n').filter(Boolean).map((f) => `/${f.replace(/^\.?\//, '')}`);
    stack = await startLocalStack(['example.test']);
  }, 600_000);
  afterAll(() => stack?.stop());

  it('holds no package manager, VCS, compiler, make or test files', () => {
    expect(files.length).toBeGreaterThan(1000);
    expect(files).toContain('/app/dist/bundle/main.js');
    expect(files).toContain('/app/dist/bundle/THIRD-PARTY-LICENSES.txt');
    expect(files.filter((f) => f.startsWith('/app/node_modules'))).toEqual([]); // all of it is in the bundle
    expect(files).toContain('/usr/local/bin/node');
    expect(files).toContain('/usr/bin/tini');
    const forbidden = files.filter((f) =>
      /\/(s?bin)\/(npm|npx|corepack|yarn|git|gcc|cc|g\+\+|c\+\+|make)$/.test(f)
      || /\/node_modules\/(npm|typescript|vitest|eslint|@vitest)\//.test(f)
      || /\.test\.js$|\/app\/dist\/testing\/|\/app\/(src|test|docs|coverage)\/|\/\.git\//.test(f));
    expect(forbidden).toEqual([]);
  });

  it('refuses to start without a store volume, saying what to mount', async () => {
    const r = await podman('run', '--rm', ...PODMAN_RUN, ...HARDENED, IMAGE);
    expect(r.code).toBe(78);
    expect(r.stderr).toContain('no volume is mounted at /var/lib/certfleet');
    expect(r.stderr).toContain('-v certfleet-store:/var/lib/certfleet');
  }, 60_000);

  it('runs non-root on a read-only root, passes its healthcheck, and obtains a certificate from pebble + PowerDNS', async () => {
    const store = path.join(stack.dir, 'store');
    const conf = path.join(stack.dir, 'etc');
    await mkdir(store, { mode: 0o750 });
    await chown(store, UID, UID);
    await mkdir(conf);
    const storeKey = (await exec('openssl', ['rand', '-base64', '32'])).stdout.trim();
    registerSecret(storeKey);
    for (const [name, value] of [['pdns_api_key', stack.pdns.apiKey], ['store_key', storeKey], ['pebble-ca.pem', stack.pebble.caBundle]] as const) {
      await writeFile(path.join(conf, name), value);
      await chown(path.join(conf, name), UID, UID);
      await chmod(path.join(conf, name), 0o400);
    }
    // Production mode is the image's default: a long API key from a file, an encrypted store, verified TLS.
    const config = localConfigText({
      store: '/var/lib/certfleet', pebble: { directoryUrl: stack.pebble.directoryUrl, caBundlePath: '/etc/certfleet/pebble-ca.pem' },
      pdns: stack.pdns, certs: '  - name: web\n    domains: [web.example.test, "*.web.example.test"]\n    dns: home\n',
    }).replace(/api_key: .*/, 'api_key_file: /etc/certfleet/pdns_api_key')
      .replace('store:\n', 'store:\n  encryption_key_file: /etc/certfleet/store_key\n');
    await writeFile(path.join(conf, 'config.yml'), config);

    const name = `certfleet-ci-${String(process.pid)}`;
    const started = await podman('run', '-d', '--name', name, ...PODMAN_RUN, ...HARDENED, '--health-interval', 'disable',
      '-v', `${store}:/var/lib/certfleet`, '-v', `${conf}:/etc/certfleet:ro`, IMAGE);
    expect(started.stderr.replace(/^time=.*systemd.*\n/gm, '')).toBe('');
    try {
      const fullchain = path.join(store, 'live/web/fullchain.pem');
      let healthy: Result = { code: -1, stdout: '', stderr: '' };
      for (let i = 0; i < 120; i++) {
        healthy = await podman('healthcheck', 'run', name);
        if (healthy.code === 0 && await stat(fullchain).then(() => true, () => false)) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      expect(healthy.code, healthy.stdout + healthy.stderr).toBe(0);
      const cert = new X509Certificate(await readFile(fullchain));
      expect(cert.subjectAltName).toBe('DNS:web.example.test, DNS:*.web.example.test');
      const key = await stat(path.join(store, 'live/web/privkey.pem'));
      expect({ uid: key.uid, mode: key.mode & 0o777 }).toEqual({ uid: UID, mode: 0o600 });
      // umask 027: what certfleet creates without an explicit mode is not world-readable.
      expect((await stat(path.join(store, 'state'))).mode & 0o007).toBe(0);

      expect((await podman('exec', name, 'id', '-u')).stdout.trim()).toBe(String(UID));
      const write = await podman('exec', name, 'sh', '-c', 'echo x > /probe');
      expect(write.code).not.toBe(0);
      expect(write.stderr).toMatch(/Read-only file system/);
      expect((await podman('exec', name, 'sh', '-c', 'grep CapEff /proc/self/status')).stdout).toMatch(/CapEff:\s+0+\n/);
    } finally {
      const stopped = await podman('stop', '-t', '10', name);
      const logs = await podman('logs', name);
      registerOutput([logs.stdout, logs.stderr]);
      const state = await podman('inspect', name, '--format', '{{.State.ExitCode}}');
      await podman('rm', '-f', name);
      expect(stopped.code).toBe(0);
      // tini forwards SIGTERM; certfleet stops gracefully with 0.
      expect(state.stdout.trim()).toBe('0');
    }
  }, 180_000);
});
