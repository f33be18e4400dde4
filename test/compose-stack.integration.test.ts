import { X509Certificate } from 'node:crypto';
import { chown, chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpPool } from '../src/http/http-pool.js';
import {
  COMPOSE_DIR, ComposeProject, composeAvailable, podman, readComposeFile, replaceOnce, runCommand, stackDir, stackImages,
  startEngineService, writeComposeFile, type ComposeFile, type EngineService,
} from './support/compose-stack.js';
import { freePort } from './support/free-port.js';
import { startLocalStack, type LocalStack } from './support/local-stack.js';
import { registerOutput, registerSecret } from './support/secret-scan.js';

// deploy/compose run for real (issue 20): docker-compose against podman's Docker API, the images
// built here from Debian packages (scripts/stack-images.sh), the test pebble and PowerDNS.
const available = await composeAvailable();
const SOCKET_GID = 2375; // the engine socket's group, as `docker` is on a Docker host
const DOMAINS = ['web.example.test', '*.web.example.test'];

interface Ports { tls: number; http: number; proxy: number; health: number }

/**
 * What this machine changes in deploy/compose and only that: host networking (no route from a
 * bridge to the loopback pebble and PowerDNS), so free loopback ports instead of fixed ones and
 * 127.0.0.1 instead of service names; the CA and DNS of the test; absolute paths into `dir`.
 * Every other key — images aside, which the variables select — is the file as shipped.
 */
async function hostNetworkStack(dir: string, ports: Ports, stack: LocalStack): Promise<ComposeFile> {
  const compose = await readComposeFile();
  delete compose.networks;
  for (const s of Object.values(compose.services)) {
    s.network_mode = 'host';
    delete s.networks;
    delete s.ports;
    delete s.build;
    if (s.volumes) s.volumes = s.volumes.map((v) => v.replace(/^\.\//, `${dir}/`));
  }
  const { nginx, certfleet, 'socket-proxy': proxy } = compose.services;
  const port = (s: typeof nginx, from: number, to: number) => {
    const test = s!.healthcheck!.test!;
    const i = test.findIndex((a) => a.includes(`127.0.0.1:${String(from)}/`));
    test[i] = replaceOnce(test[i] ?? '', `127.0.0.1:${String(from)}/`, `127.0.0.1:${String(to)}/`, 'healthcheck');
  };
  port(nginx, 8080, ports.http);
  port(proxy, 2375, ports.proxy);
  proxy!.environment = { ...proxy!.environment, PROXY_PORT: String(ports.proxy) };
  certfleet!.environment = { ...certfleet!.environment, CERTFLEET_HEALTH_URL: `http://127.0.0.1:${String(ports.health)}/healthz` };
  for (const name of ['certfleet', 'certfleet-init']) compose.services[name]!.volumes!.push(`${dir}/pebble-ca.pem:/etc/certfleet/pebble-ca.pem:ro`);
  for (const s of Object.values(compose.secrets)) s.file = s.file.replace(/^\.\//, `${dir}/`);

  let config = await readFile(path.join(COMPOSE_DIR, 'certfleet.yml'), 'utf8');
  config = replaceOnce(config, 'directory: letsencrypt', `directory: ${stack.pebble.directoryUrl}\n  ca_bundle: /etc/certfleet/pebble-ca.pem`, 'certfleet.yml');
  config = replaceOnce(config, /api_url: .*/, `api_url: ${stack.pdns.apiUrl}\n      propagation: { nameservers: ["${stack.pdns.dnsAddress}"], timeout: 10s }`, 'certfleet.yml');
  config = replaceOnce(config, 'dns:\n  providers:', `dns:\n  resolvers: ["${stack.pdns.dnsAddress}"]\n  providers:`, 'certfleet.yml');
  config = replaceOnce(config, 'tcp://socket-proxy:2375', `tcp://127.0.0.1:${String(ports.proxy)}`, 'certfleet.yml');
  config = replaceOnce(config, /domains: \[.*\]/, `domains: [${DOMAINS.map((d) => JSON.stringify(d)).join(', ')}]`, 'certfleet.yml');
  config += `server:\n  listen: 127.0.0.1:${String(ports.health)}\n`;
  await writeFile(path.join(dir, 'certfleet.yml'), config);

  let nginxConf = await readFile(path.join(COMPOSE_DIR, 'nginx.conf'), 'utf8');
  nginxConf = replaceOnce(nginxConf, 'listen 8443 ', `listen 127.0.0.1:${String(ports.tls)} `, 'nginx.conf');
  nginxConf = replaceOnce(nginxConf, 'listen 8080;', `listen 127.0.0.1:${String(ports.http)};`, 'nginx.conf');
  await writeFile(path.join(dir, 'nginx.conf'), nginxConf);
  return compose;
}

/** The leaf certificate nginx presents, and whether openssl verified its chain against `caFile`. */
async function served(port: number, caFile: string): Promise<{ cert: X509Certificate; verify: string }> {
  const r = await runCommand('sh', ['-c', `openssl s_client -connect 127.0.0.1:${String(port)} -servername ${DOMAINS[0]!} -CAfile ${caFile} -verify_return_error </dev/null 2>&1`]);
  const pem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(r.stdout);
  if (!pem) throw new Error(`no certificate from nginx:\n${r.stdout}`);
  return { cert: new X509Certificate(pem[0]), verify: /Verify return code: .*/.exec(r.stdout)?.[0] ?? r.stdout };
}

/** An HTTP request to the socket proxy: its status and body. */
function proxyRequest(port: number, method: string, urlPath: string, body?: object): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path: urlPath, headers: { 'content-type': 'application/json' }, signal: AbortSignal.timeout(10_000) }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => { text += c; }).on('end', () => { resolve({ status: res.statusCode ?? 0, body: text }); });
    });
    req.on('error', reject);
    req.end(body ? JSON.stringify(body) : undefined);
  });
}

async function until<T>(what: () => Promise<T | undefined>, why: () => Promise<string> | string, ms = 60_000): Promise<T> {
  for (const end = Date.now() + ms; Date.now() < end; await delay(500)) {
    const v = await what();
    if (v !== undefined) return v;
  }
  throw new Error(`timed out: ${await why()}`);
}

describe.skipIf(!available)('deploy/compose, run with docker-compose on podman', () => {
  let stack: LocalStack;
  let engine: EngineService;
  let scratch: Awaited<ReturnType<typeof stackDir>>;
  let project: ComposeProject;
  let file: string;
  let ports: Ports;
  let pebbleRoot: string;
  let firstSerial: string;

  beforeAll(async () => {
    const images = await stackImages();
    scratch = await stackDir();
    const dir = scratch.dir;
    stack = await startLocalStack(['example.test']);
    engine = await startEngineService(dir, SOCKET_GID);
    ports = { tls: await freePort(), http: await freePort(), proxy: await freePort(), health: await freePort() };
    // The secrets as deploy/compose/compose.yaml's header says: files, group 1000 (certfleet), 0440.
    const storeKey = (await runCommand('openssl', ['rand', '-base64', '32'])).stdout.trim();
    registerSecret(storeKey);
    await mkdir(path.join(dir, 'secrets'));
    for (const [name, value] of [['secrets/pdns_api_key', stack.pdns.apiKey], ['secrets/store_key', storeKey], ['pebble-ca.pem', stack.pebble.caBundle]] as const) {
      await writeFile(path.join(dir, name), value);
      await chown(path.join(dir, name), 1000, 1000);
      await chmod(path.join(dir, name), name.endsWith('.pem') ? 0o444 : 0o440);
    }
    // The root pebble issues under (its management API, on pebble's own test CA).
    const pool = new HttpPool({ ca: stack.pebble.caBundle });
    pebbleRoot = path.join(dir, 'pebble-root.pem');
    try {
      await writeFile(pebbleRoot, (await pool.request('GET', `${stack.pebble.managementUrl}/roots/0`, { signal: AbortSignal.timeout(5000) })).body);
    } finally { pool.close(); }
    file = path.join(dir, 'compose.yaml');
    await writeComposeFile(file, await hostNetworkStack(dir, ports, stack));
    project = new ComposeProject(`cfstack${String(process.pid)}`, dir, {
      DOCKER_HOST: `unix://${engine.socketPath}`, DOCKER_SOCKET: engine.socketPath, DOCKER_GID: String(SOCKET_GID), ...images,
    });
    const up = await project.up(file);
    expect(up.code, up.stdout + up.stderr).toBe(0);
    firstSerial = (await served(ports.tls, pebbleRoot)).cert.serialNumber;
  }, 600_000);

  afterAll(async () => {
    if (project) {
      const logs = await project.compose(file, ['logs', '--no-color']);
      registerOutput([...project.outputs, logs.stdout, logs.stderr]);
      await project.compose(file, ['down', '-v', '-t', '5']);
      await project.removeAll();
    }
    await engine?.stop();
    await stack?.stop();
    await scratch?.remove();
  }, 120_000);

  it('brings every service up healthy; the one-shot init exited 0', async () => {
    // Health as podman records it after its checks: one check on a busy machine can still be
    // "starting" (a container's first check after compose returned), so checked until all pass.
    const services = ['certfleet', 'nginx', 'socket-proxy'];
    const states = await until(async () => {
      await project.runHealthChecks();
      const now = await project.states();
      return services.every((s) => now.get(project.container(s))?.health === 'healthy') ? now : undefined;
    }, async () => JSON.stringify([...(await project.states())]));
    expect(states.get(project.container('certfleet-init'))).toMatchObject({ running: false, exitCode: 0 });
    for (const service of services) {
      expect(states.get(project.container(service)), service).toMatchObject({ running: true, health: 'healthy' });
    }
    const ps = await project.compose(file, ['ps']);
    expect(ps.stdout).toMatch(/_certfleet-init_1 .* Exit 0/);
    expect(ps.stdout.match(/Up \(healthy\)/g)).toHaveLength(3);
  });

  it.each([['certfleet', 1000], ['nginx', 101], ['socket-proxy', 65534]] as const)(
    '%s runs as uid %i on a read-only root, CapEff 0, no-new-privileges', async (service, uid) => {
      expect((await project.execIn(service, ['id', '-u'])).stdout.trim()).toBe(String(uid));
      expect((await project.execIn(service, ['sh', '-c', 'whoami || id -un'])).stdout.trim()).not.toBe('root');
      const write = await project.execIn(service, ['sh', '-c', 'echo x > /probe']);
      expect(write.stderr).toMatch(/Read-only file system/);
      const status = (await project.execIn(service, ['cat', '/proc/1/status'])).stdout;
      expect(status).toMatch(/^Uid:\s+(\d+)\s/m);
      expect(/^Uid:\s+(\d+)/m.exec(status)![1]).toBe(String(uid));
      expect(status).toMatch(/^CapEff:\s+0{16}$/m);
      expect(status).toMatch(/^NoNewPrivs:\s+1$/m);
    });

  it('ran certfleet-init with the same hardening (it has exited: judged by its container config)', async () => {
    const c = await project.inspect('certfleet-init');
    expect(c.Config.User).toBe('1000:1000');
    expect(c.HostConfig.ReadonlyRootfs).toBe(true);
    expect(c.EffectiveCaps ?? []).toEqual([]);
    expect(c.HostConfig.CapAdd ?? []).toEqual([]);
    expect(c.HostConfig.SecurityOpt?.join(',')).toMatch(/no-new-privileges/);
  });

  it("nginx serves certfleet's certificate over TLS, its chain verified against pebble's root", async () => {
    const { cert, verify } = await served(ports.tls, pebbleRoot);
    expect(verify).toBe('Verify return code: 0 (ok)');
    expect(cert.subjectAltName).toBe(DOMAINS.map((d) => `DNS:${d}`).join(', '));
    expect(cert.serialNumber).toBe(firstSerial);
  });

  it('serves the renewed certificate after the SIGHUP through the socket proxy, with no restart', async () => {
    const before = (await project.states()).get(project.container('nginx'))!;
    const renew = await project.execIn('certfleet', ['/app/bin/container-entrypoint', 'issue', '--config', '/etc/certfleet/config.yml', '--cert', 'web', '--force']);
    expect(renew.code, renew.stdout + renew.stderr).toBe(0);
    const serial = await until(async () => {
      const s = (await served(ports.tls, pebbleRoot)).cert.serialNumber;
      return s !== firstSerial ? s : undefined;
    }, () => 'nginx still serves the first certificate', 20_000);
    expect(serial).not.toBe(firstSerial);
    const after = (await project.states()).get(project.container('nginx'))!;
    expect({ startedAt: after.startedAt, restarts: after.restarts }).toEqual({ startedAt: before.startedAt, restarts: before.restarts });
    // The kill went through the proxy: its log has the POST, answered 204.
    const proxyLog = await project.compose(file, ['logs', '--no-color', 'socket-proxy']);
    expect(proxyLog.stdout).toMatch(/ 204 .*"POST \/[^ ]*containers\/[^ ]+\/kill\?signal=(SIG)?HUP/);
    firstSerial = serial;
  });

  it('the socket proxy lets through listing and kill, and refuses create, exec and anything else', async () => {
    const nginxId = (await project.inspect('nginx')).Name.replace(/^\//, '');
    expect((await proxyRequest(ports.proxy, 'GET', '/containers/json')).status).toBe(200);
    expect((await proxyRequest(ports.proxy, 'POST', '/containers/create', { Image: 'x', Cmd: ['sh'] })).status).toBe(403);
    expect((await proxyRequest(ports.proxy, 'POST', '/v1.41/containers/create?name=evil', { Image: 'x' })).status).toBe(403);
    expect((await proxyRequest(ports.proxy, 'POST', `/containers/${nginxId}/exec`, { Cmd: ['id'] })).status).toBe(403);
    expect((await proxyRequest(ports.proxy, 'POST', `/containers/${nginxId}/kill/x`)).status).toBe(403);
    expect((await proxyRequest(ports.proxy, 'DELETE', `/containers/${nginxId}`)).status).toBe(403);
    expect((await proxyRequest(ports.proxy, 'GET', '/images/json')).status).toBe(403);
    expect((await proxyRequest(ports.proxy, 'GET', '/info')).status).toBe(403);
  });

  describe('bad input: each failure shows in `ps` and the logs, and nginx keeps the last good certificate', () => {
    /** Recreates certfleet alone from a variant of the stack, and waits until it has failed. */
    async function breakCertfleet(variant: (c: ComposeFile) => void): Promise<string> {
      const variantStack = structuredClone(await hostNetworkStack(project.dir, ports, stack));
      variant(variantStack);
      const brokenFile = path.join(project.dir, 'broken.yaml');
      await writeComposeFile(brokenFile, variantStack);
      broken = true;
      await recreateCertfleet(brokenFile);
      // Failed at least once: exited, or restarted by its policy (podman restarts at once, and
      // its State.ExitCode is 0 again while the new run is up).
      await until(async () => {
        const s = (await project.states()).get(project.container('certfleet'));
        return s && (s.exitCode !== 0 || s.restarts > 0) ? true : undefined;
      }, async () => JSON.stringify([...(await project.states())]));
      const ps = await project.compose(file, ['ps', 'certfleet']);
      expect(ps.stdout).toMatch(/_certfleet_1 /);
      expect(ps.stdout).not.toMatch(/Up \(healthy\)/);
      // What `docker compose logs certfleet` shows, read from podman (docker-compose 1.29 takes seconds per call here).
      const logs = await podman(['logs', project.container('certfleet')]);
      return logs.stdout + logs.stderr;
    }

    async function recreateCertfleet(from: string): Promise<void> {
      // podman's restart policy may start a failing container again between compose's stop and
      // its remove ("cannot remove container ... as it is running"): remove it first.
      await podman(['rm', '-f', '-t', '5', project.container('certfleet')]);
      const r = await project.up(from, ['--no-deps', 'certfleet']);
      expect(r.code, r.stdout + r.stderr).toBe(0);
    }

    let broken = false;
    /** The stack as shipped again, certfleet healthy (once after the cases that break it). */
    async function restore(): Promise<void> {
      if (!broken) return;
      broken = false;
      await recreateCertfleet(file);
      await until(async () => {
        await project.runHealthChecks();
        return (await project.states()).get(project.container('certfleet'))?.health === 'healthy' ? true : undefined;
      }, async () => JSON.stringify([...(await project.states())]));
    }

    afterAll(restore, 60_000);

    // The two cases that break certfleet run one after the other; the stack is restored once, after them.
    it('the store volume missing: certfleet exits 78 saying what to mount', async () => {
      const logs = await breakCertfleet((c) => { c.services.certfleet!.volumes = c.services.certfleet!.volumes!.filter((v) => !v.startsWith('store:')); });
      expect(logs).toContain('no volume is mounted at /var/lib/certfleet');
      expect(logs).toContain('store:/var/lib/certfleet');
      expect((await served(ports.tls, pebbleRoot)).cert.serialNumber).toBe(firstSerial);
    });

    it('the DNS provider key missing: certfleet refuses its config, naming the file', async () => {
      // As when secrets/pdns_api_key was never written: docker-compose only warns, certfleet must say it.
      const logs = await breakCertfleet((c) => { c.secrets.pdns_api_key!.file = `${project.dir}/secrets/not-written`; });
      expect(logs).toMatch(/pdns_api_key/);
      expect(logs).toMatch(/dns\.providers\.pdns\.api_key_file/);
      expect((await served(ports.tls, pebbleRoot)).cert.serialNumber).toBe(firstSerial);
    });

    it('the socket proxy down: the renewal is kept, its deploy fails and is retried, nginx keeps serving', async () => {
      await restore();
      expect((await project.compose(file, ['stop', '-t', '2', 'socket-proxy'])).code).toBe(0);
      expect((await project.compose(file, ['ps', 'socket-proxy'])).stdout).toMatch(/Exit/);
      const renew = await project.execIn('certfleet', ['/app/bin/container-entrypoint', 'issue', '--config', '/etc/certfleet/config.yml', '--cert', 'web', '--force']);
      registerOutput([renew.stdout, renew.stderr]);
      expect(renew.code).toBe(1);
      expect(renew.stdout + renew.stderr).toMatch(/container SIGHUP label=certfleet\.reload=nginx: failed \(container engine at tcp:\/\/127\.0\.0\.1:\d+: ECONNREFUSED\)/);
      expect((await served(ports.tls, pebbleRoot)).cert.serialNumber).toBe(firstSerial);
      const list = await project.execIn('certfleet', ['/app/bin/container-entrypoint', 'list', '--config', '/etc/certfleet/config.yml', '--json']);
      // The reload is a required action: stored as failed, with the daemon's retry scheduled.
      const [web] = JSON.parse(list.stdout) as { deploy: { nextAttempt?: string; actions: { kind: string; required: boolean; result: string }[] } }[];
      expect(web!.deploy.actions.find((a) => a.kind === 'container')).toMatchObject({ required: true, result: 'failed' });
      expect(Date.parse(web!.deploy.nextAttempt ?? '')).toBeGreaterThan(Date.now());
      // Back up: the failed deploy runs again (by hand here; the daemon's retry is 1 min later) and nginx reloads.
      expect((await project.up(file, ['--no-deps', 'socket-proxy'])).code).toBe(0);
      const deploy = await project.execIn('certfleet', ['/app/bin/container-entrypoint', 'deploy', '--config', '/etc/certfleet/config.yml', '--cert', 'web']);
      expect(deploy.code, deploy.stdout + deploy.stderr).toBe(0);
      await until(async () => ((await served(ports.tls, pebbleRoot)).cert.serialNumber !== firstSerial ? true : undefined), () => 'no reload after the proxy came back', 20_000);
    });
  });

  it('`down` leaves nothing: no container, pod, volume or network of the project', async () => {
    const down = await project.compose(file, ['down', '-v', '-t', '5']);
    expect(down.code, down.stderr).toBe(0);
    expect(await project.leftovers()).toEqual([]);
    expect((await podman(['ps', '-q', '--filter', `name=${project.name}`])).stdout.trim()).toBe('');
  });
});
