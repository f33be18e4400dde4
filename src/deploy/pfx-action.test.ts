import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerSecret } from '../../test/support/secret-scan.js';
import { savedEvent } from '../../test/support/saved-certificate.js';
import type { CertificateEvent } from './deploy-action.js';
import { PfxAction } from './pfx-action.js';

let dir: string;
let event: CertificateEvent;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'certfleet-pfx-'));
  event = await savedEvent(path.join(dir, 'store'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('pfx: how the passphrase reaches openssl', () => {
  it('on stdin only: not in argv, not in the environment (an allow-list); the file is written 0600 beside the live files', async () => {
    const pass = 'pfx-passphrase-on-stdin-1234';
    registerSecret(pass);
    process.env.CERTFLEET_STORE_KEY = 'store-key-never-for-openssl-5678';
    registerSecret(process.env.CERTFLEET_STORE_KEY);
    // A stand-in for openssl that tells what it was given.
    const report = path.join(dir, 'openssl-saw.json');
    const fake = path.join(dir, 'fake-openssl');
    await writeFile(fake, `#!${process.execPath}
const fs = require('node:fs');
const stdin = fs.readFileSync(0, 'utf8');
fs.writeFileSync(${JSON.stringify(report)}, JSON.stringify({ argv: process.argv.slice(2), env: process.env, stdin }));
process.stdout.write('PKCS12 bytes');
`, { mode: 0o755 });
    try {
      await new PfxAction(pass, false, 10_000, false, fake).run(event, { signal: AbortSignal.timeout(10_000) });
    } finally {
      delete process.env.CERTFLEET_STORE_KEY;
    }
    const saw = JSON.parse(await readFile(report, 'utf8')) as { argv: string[]; env: Record<string, string>; stdin: string };
    expect(saw.stdin).toBe(`${pass}\n`);
    expect(saw.argv).toContain('stdin');
    expect(JSON.stringify(saw.argv)).not.toContain(pass);
    expect(Object.keys(saw.env).filter((k) => !['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ'].includes(k))).toEqual([]);
    const pfx = path.join(event.local.paths('web').liveDir, 'cert.pfx');
    expect(await readFile(pfx, 'utf8')).toBe('PKCS12 bytes');
    expect((await stat(pfx)).mode & 0o777).toBe(0o600);
  });
});
