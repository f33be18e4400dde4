import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { PODMAN_GLOBAL, PODMAN_RUN, podmanAvailable } from './support/podman-engine.js';

const exec = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');
const available = await podmanAvailable();
const { version } = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as { version: string };
const deb = path.join(root, `dist/certfleet_${version}_amd64.deb`);

// What a user does on a clean Debian 12: dpkg -i, then use it as the certfleet user. The
// container is the project's Debian 12 base (scripts/base-image.sh), so no registry is needed.
const INSIDE = `set -e
dpkg -i /pkg/certfleet.deb >/dev/null
echo "user: $(getent passwd certfleet | cut -d: -f1,7)"
echo "state: $(stat -c '%a %U:%G' /var/lib/certfleet)"
echo "config: $(stat -c '%a %U:%G' /etc/certfleet/certfleet.yaml)"
echo "conffiles: $(cat /var/lib/dpkg/info/certfleet.conffiles)"
runuser -u certfleet -- certfleet version
runuser -u certfleet -- certfleet check-config --config /etc/certfleet/certfleet.yaml
runuser -u certfleet -- certfleet check-config --config /etc/certfleet/certfleet.yaml >/dev/null
echo "code cache: $(stat -c '%a %U' /tmp/certfleet-code-cache-$(id -u certfleet)) $(ls /tmp/certfleet-code-cache-$(id -u certfleet))"
# systemd for its analyzer only (the base has none): verify the units, and rate the service.
apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends systemd >/dev/null 2>&1
systemd-analyze verify /lib/systemd/system/certfleet.service /lib/systemd/system/certfleet-issue.service /lib/systemd/system/certfleet-issue.timer
echo "verify: ok"
for u in certfleet.service certfleet-issue.service; do systemd-analyze security --offline=true /lib/systemd/system/$u | tail -n 1; done
`;

describe.skipIf(!available)('the .deb (make package)', () => {
  let out = '';
  beforeAll(async () => {
    await exec(path.join(root, 'scripts/package-deb.sh'), { cwd: root, maxBuffer: 16 * 1024 * 1024 });
    const { stdout } = await exec(path.join(root, 'scripts/base-image.sh'), { cwd: root, maxBuffer: 16 * 1024 * 1024 });
    const base = stdout.trim().split('\n').at(-1)!;
    const run = await exec('podman', [...PODMAN_GLOBAL, 'run', ...PODMAN_RUN, '--rm', '-v', `${deb}:/pkg/certfleet.deb:ro`, base, 'sh', '-c', INSIDE], { maxBuffer: 16 * 1024 * 1024 });
    out = run.stdout;
  }, 600_000);

  it('installs on a clean Debian 12 with its system user, state directory and conffile', () => {
    expect(out).toContain('user: certfleet:/usr/sbin/nologin');
    expect(out).toContain('state: 700 certfleet:certfleet');
    expect(out).toContain('config: 640 root:certfleet');
    expect(out).toContain('conffiles: /etc/certfleet/certfleet.yaml');
  });

  it('runs certfleet version and check-config on the example as the certfleet user', () => {
    expect(out).toContain(`certfleet ${version}`);
    expect(out).toContain('/etc/certfleet/certfleet.yaml: valid');
  });

  it('runs the one-shot bundle with a cache taken after the run, in a directory of the user\'s own', () => {
    expect(out).toMatch(/code cache: 700 certfleet check-config\.[0-9a-f]{16}\.v24\.\d+\.\d+-x64\.v8cache/);
  });

  it('has units that systemd-analyze verifies, and a service exposure of at most 2.0', () => {
    expect(out).toContain('verify: ok');
    const levels = [...out.matchAll(/Overall exposure level for (\S+): ([\d.]+)/g)].map((m) => [m[1], Number(m[2])] as const);
    expect(levels.map(([u]) => u)).toEqual(['certfleet.service', 'certfleet-issue.service']);
    for (const [, level] of levels) expect(level).toBeLessThanOrEqual(2.0);
  });
});
