import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './support/free-port.js';

const exec = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');
const exe = path.join(root, 'dist/sea/certfleet');
let dir: string;

// The single executable as the .deb installs it (dist/sea/certfleet), without a container: its
// one-shot commands' code cache, and the daemon's start-up settings (src/cli/daemon-runtime.ts).
describe('the single executable (dist/sea/certfleet)', () => {
  beforeAll(async () => {
    await exec(process.execPath, [path.join(root, 'scripts/sea.mjs'), '--if-stale'], { cwd: root });
    dir = mkdtempSync(path.join(tmpdir(), 'certfleet-sea-'));
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("takes a command's code cache after its first run and uses it the next time", async () => {
    const config = path.join(dir, 'check.yaml');
    writeFileSync(config, `acme:\n  directory: selfsigned\n  email: a@example.test\nstore:\n  path: ${dir}/store\ndns:\n  providers: {}\ncertificates: []\n`);
    const env = { ...process.env, NODE_COMPILE_CACHE: path.join(dir, 'cache') };
    await exec(exe, ['check-config', '--config', config], { env });
    const cacheDir = path.join(dir, 'cache', 'certfleet');
    const [file] = readdirSync(cacheDir).filter((f) => f.startsWith('check-config.'));
    expect(file).toMatch(/^check-config\.[0-9a-f]{16}\.v24\.\d+\.\d+-x64\.v8cache$/);
    const first = statSync(path.join(cacheDir, file!)).mtimeMs;
    const { stdout } = await exec(exe, ['check-config', '--config', config], { env });
    expect(stdout).toContain('valid');
    // Not written again: V8 took it.
    expect(statSync(path.join(cacheDir, file!)).mtimeMs).toBe(first);
  });

  it('starts `run` in the same process with a small young generation and two malloc arenas, as bin/certfleet does', async () => {
    const port = await freePort();
    const config = path.join(dir, 'run.yaml');
    writeFileSync(config, `acme:\n  directory: selfsigned\n  email: a@example.test\nstore:\n  path: ${dir}/run-store\nserver:\n  listen: 127.0.0.1:${port}\ndns:\n  providers: {}\ncertificates: []\n`);
    const { MALLOC_ARENA_MAX: _, NODE_OPTIONS: __, ...env } = process.env;
    const child = spawn(exe, ['run', '--config', config, '--log-format', 'json'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no http_listening within 20 s:\n${log}`)), 20_000);
        child.stderr.on('data', (b: Buffer) => {
          log += b.toString();
          if (log.includes('"http_listening"')) { clearTimeout(timer); resolve(); }
        });
        child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`exited ${code}:\n${log}`)); });
      });
      const environ = readFileSync(`/proc/${child.pid}/environ`, 'utf8').split('\0');
      expect(environ).toContain('MALLOC_ARENA_MAX=2');
      expect(environ).toContain('NODE_OPTIONS=--max-semi-space-size=2');
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(res.status).toBe(200);
    } finally {
      const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
      child.kill('SIGTERM');
      expect(await exited).toEqual({ code: 0, signal: null });
    }
  }, 60_000);
});
