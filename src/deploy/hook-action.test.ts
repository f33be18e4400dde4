import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerSecret } from '../../test/support/secret-scan.js';
import { captureLog } from '../../test/support/test-log.js';
import { savedEvent } from '../../test/support/saved-certificate.js';
import type { CertificateEvent } from './deploy-action.js';
import { HookAction } from './hook-action.js';
import { runDeploy } from './run-deploy.js';

let dir: string;
let event: CertificateEvent;
const ctx = (log = captureLog().log) => ({ log, signal: AbortSignal.timeout(20_000) });

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'certfleet-hook-'));
  event = await savedEvent(path.join(dir, 'store'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** The `stdout` lines a hook's output became in the log. */
const stdoutLines = (records: Record<string, unknown>[]) => records.filter((r) => r.msg === 'child_output' && r.stream === 'stdout').map((r) => String(r.line));

describe('hook environment', () => {
  const SECRETS = { CERTFLEET_PDNS_API_KEY: 'pdns-api-key-7f3a9c1e5b', CERTFLEET_STORE_KEY: 'c3RvcmUta2V5LTEyMzQ1Njc4OTAxMjM0NTY3ODkw', AWS_SECRET_ACCESS_KEY: 'aws-secret-0a1b2c3d4e' };

  beforeEach(() => {
    for (const [k, v] of Object.entries(SECRETS)) {
      registerSecret(v);
      process.env[k] = v;
    }
    process.env.CERTFLEET_HOOK_TEST_PASSED = 'passed-on-purpose';
  });
  afterEach(() => {
    for (const k of [...Object.keys(SECRETS), 'CERTFLEET_HOOK_TEST_PASSED']) delete process.env[k];
  });

  it('a hook printing its environment sees no secret of certfleet\'s environment, only the allow-list, its variables, env and pass_env', async () => {
    const cap = captureLog();
    await new HookAction({ argv: ['/usr/bin/env'], env: { GREETING: 'hello' }, passEnv: ['CERTFLEET_HOOK_TEST_PASSED'] }, 10_000, false).run(event, ctx(cap.log));
    const seen = Object.fromEntries(stdoutLines(cap.records()).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    for (const name of Object.keys(SECRETS)) expect(seen).not.toHaveProperty(name);
    expect(seen).toMatchObject({ PATH: process.env.PATH, CERTFLEET_CERT_NAME: 'web', CERTFLEET_EVENT: 'issued', GREETING: 'hello', CERTFLEET_HOOK_TEST_PASSED: 'passed-on-purpose' });
    const allowed = new Set(['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'GREETING', 'CERTFLEET_HOOK_TEST_PASSED']);
    expect(Object.keys(seen).filter((k) => !allowed.has(k) && !/^(CERTFLEET_|RENEWED_|DNSROBOCERT_)/.test(k))).toEqual([]);
  });

  it('the documented variables win over env (a config cannot fake the certificate path)', async () => {
    const cap = captureLog();
    await new HookAction({ argv: ['/usr/bin/env'], env: { CERTFLEET_KEY_PATH: '/tmp/not-the-key' } }, 10_000, false).run(event, ctx(cap.log));
    expect(stdoutLines(cap.records())).toContain(`CERTFLEET_KEY_PATH=${event.local.paths('web').privkey}`);
  });
});

describe('hook output', () => {
  it('a secret printed one character at a time is one redacted line, not one line per character', async () => {
    const secret = 'slowly-printed-secret-42';
    registerSecret(secret);
    const cap = captureLog([secret]);
    const script = 'const s = `token=${process.env.SLOW_SECRET}`; let i = 0; const t = setInterval(() => { process.stdout.write(s[i++]); if (i === s.length) { clearInterval(t); process.stdout.write("\\nbye"); } }, 5);';
    await new HookAction({ argv: [process.execPath, '-e', script], env: { SLOW_SECRET: secret } }, 20_000, false).run(event, ctx(cap.log));
    // The last line has no newline: it is flushed when the pipe closes.
    expect(stdoutLines(cap.records())).toEqual(['token=[redacted]', 'bye']);
  });

  it('each JSON log line names its action once', async () => {
    const cap = captureLog();
    await runDeploy([new HookAction({ argv: [process.execPath, '-e', 'console.log("reloaded")'] }, 10_000, false)], event, cap.log, AbortSignal.timeout(20_000));
    expect(cap.lines.length).toBeGreaterThan(1);
    for (const line of cap.lines) expect(line.match(/"action":/g)?.length ?? 0).toBe(1);
    expect(cap.records().find((r) => r.line === 'reloaded')).toMatchObject({ msg: 'child_output', action: 'hook', program: process.execPath, stream: 'stdout' });
  });
});
