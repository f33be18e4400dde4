import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerOutput } from './support/secret-scan.js';

const bin = path.resolve(import.meta.dirname, '../bin/certfleet');
const ESC = String.fromCharCode(27);

/** `certfleet issue` with two certificates from the self-signed development CA: no CA or DNS server needed. */
describe('certfleet issue: live status lines only on a terminal', () => {
  let dir: string;
  let config: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'certfleet-progress-'));
    config = path.join(dir, 'c.yaml');
    const certs = ['one', 'two'].map((n) => `  - name: ${n}\n    domains: [${n}.example.test]\n    dns: none\n`).join('');
    await writeFile(config, `acme: { directory: selfsigned }\nstore: { path: ${path.join(dir, 'store')} }\ndns:\n  providers:\n    none: { type: exec, command: [/bin/false] }\ncertificates:\n${certs}`);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('through a pipe, pretty or JSON, the log is plain lines: no status block, no escape', async () => {
    for (const format of ['pretty', 'json']) {
      const { stdout, stderr } = await promisify(execFile)(bin, ['issue', '--config', config, '--log-format', format, '--force']);
      registerOutput([stdout, stderr]);
      expect(stderr, format).not.toContain(ESC);
      expect(stderr, format).not.toMatch(/queued|waiting for DNS/);
      expect(stdout).toMatch(/^one: (issued|renewed) /m);
      expect(stdout).toMatch(/^two: (issued|renewed) /m);
    }
  });

  it('on a terminal (a pty from script(1)), one status line per certificate, redrawn in place, ending saved', async () => {
    const command = `${bin} issue --config ${config} --log-format pretty --force`;
    const { stdout } = await promisify(execFile)('script', ['-qec', command, '/dev/null'], { env: { ...process.env, COLUMNS: '120', TERM: 'xterm' } });
    registerOutput([stdout]);
    expect(stdout).toContain(`${ESC}[2F${ESC}[J`);
    expect(stdout).toMatch(/one\s+saved \(renewed\)/);
    expect(stdout).toMatch(/two\s+saved \(renewed\)/);
  });
});
