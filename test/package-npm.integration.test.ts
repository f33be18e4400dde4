import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const exec = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');
const { version } = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as { version: string };
const tgz = path.join(root, `dist/certfleet-${version}.tgz`);

/** A Node older than 24 on this machine (Debian's or NodeSource's), to show what its users see. */
const OLD_NODE = ['/usr/bin/node', '/usr/local/bin/node'].find((p) => existsSync(p));

describe('the npm package (make package)', () => {
  let prefix: string;
  beforeAll(async () => {
    await exec(path.join(root, 'scripts/package-npm.sh'), { cwd: root });
    prefix = await mkdtemp(path.join(tmpdir(), 'certfleet-npm-'));
    await exec('npm', ['install', '--global', '--prefix', prefix, '--no-audit', '--no-fund', tgz], { cwd: root });
  }, 120_000);
  afterAll(() => rm(prefix, { recursive: true, force: true }));

  it('installs globally with a certfleet command and nothing else to fetch', async () => {
    const { stdout } = await exec(path.join(prefix, 'bin/certfleet'), ['version']);
    expect(stdout).toBe(`certfleet ${version}\n`);
    const manifest = JSON.parse(await readFile(path.join(prefix, 'lib/node_modules/certfleet/package.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest).toMatchObject({ name: 'certfleet', version, engines: { node: '>=24' }, bin: { certfleet: 'bin/certfleet' } });
    expect(manifest.dependencies).toBeUndefined();
    expect(existsSync(path.join(prefix, 'lib/node_modules/certfleet/node_modules'))).toBe(false);
  });

  it('on a Node older than 24 says which version it needs instead of crashing', async (ctx) => {
    const old = OLD_NODE ? (await exec(OLD_NODE, ['-p', 'process.versions.node'])).stdout.trim() : undefined;
    if (!OLD_NODE || !old || Number(old.split('.')[0]) >= 24) ctx.skip(); // needs an old Node on this machine
    const entry = path.join(prefix, 'lib/node_modules/certfleet/dist/bundle/entry.js');
    const run = await exec(OLD_NODE!, [entry, 'version']).then(() => ({ code: 0, stderr: '' }), (e: { code: number; stderr: string }) => e);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`certfleet needs Node.js 24 or later; this is Node.js v${old}.`);
    expect(run.stderr).not.toContain('SyntaxError');
  });
});
