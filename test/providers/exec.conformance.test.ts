import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExecProvider } from '../../src/dns/exec-provider.js';
import { describeProviderConformance } from '../support/provider-conformance.js';
import { registerSecret } from '../support/secret-scan.js';
import { captureLog } from '../support/test-log.js';

const script = path.resolve(import.meta.dirname, '../fixtures/exec-dns.mjs');
/** The fixture's own settings: the provider passes nothing of the test's environment unless named. */
const PASS_ENV = ['EXEC_DNS_STATE', 'EXEC_DNS_MODE'];

async function setup(mode = '', timeoutMs = 10_000) {
  const dir = await mkdtemp(path.join(tmpdir(), 'certfleet-exec-'));
  const state = path.join(dir, 'state.json');
  process.env.EXEC_DNS_STATE = state;
  process.env.EXEC_DNS_MODE = mode;
  const cap = captureLog();
  const provider = new ExecProvider({ id: 'script', command: [process.execPath, script], passEnv: PASS_ENV, timeoutMs, log: cap.log });
  const txt = async (fqdn: string) => {
    const s = JSON.parse(await readFile(state, 'utf8').catch(() => '{}')) as Record<string, string[]>;
    return s[fqdn.toLowerCase()] ?? [];
  };
  return { provider, zone: 'example.test', txt, cap, knowsExisting: false, stop: () => rm(dir, { recursive: true, force: true }) };
}

describeProviderConformance('exec (a program of the user\'s, argv, no shell)', () => setup());

describe('exec provider failures', () => {
  const rec = { name: '_acme-challenge', type: 'TXT', data: 'v', ttl: 60 };

  it('a failing program: its exit code in the error, its output only in the redacted log', async () => {
    const token = 'tok-1234567890-secret';
    registerSecret(token);
    process.env.CERTFLEET_TEST_TOKEN = token;
    const f = await setup('fail');
    const redacted = captureLog([token]);
    const provider = new ExecProvider({ id: 'script', command: [process.execPath, script], passEnv: [...PASS_ENV, 'CERTFLEET_TEST_TOKEN'], timeoutMs: 10_000, log: redacted.log });
    try {
      await expect(provider.appendRecords('example.test', [rec], AbortSignal.timeout(10_000)))
        .rejects.toMatchObject({ code: 'DNS_PROVIDER', message: expect.stringMatching(/^exec provider script \(.*node\) present _acme-challenge\.example\.test\.: exited with 3; its output is in the log \(provider script\)$/) });
      expect(redacted.lines.join('')).toContain('API said no (token [redacted])');
    } finally {
      delete process.env.CERTFLEET_TEST_TOKEN;
      await f.stop();
    }
  });

  it('a program that hangs is killed after the timeout; a missing program is named', async () => {
    const f = await setup('hang', 300);
    try {
      await expect(f.provider.appendRecords('example.test', [rec], AbortSignal.timeout(10_000))).rejects.toMatchObject({ code: 'DNS_PROVIDER', retryable: true, message: expect.stringMatching(/timed out after 300 ms/) });
      const missing = new ExecProvider({ id: 'gone', command: ['/nonexistent/dns-hook'], timeoutMs: 1000, log: f.cap.log });
      await expect(missing.appendRecords('example.test', [rec], AbortSignal.timeout(10_000))).rejects.toMatchObject({ message: expect.stringMatching(/exec provider gone \(\/nonexistent\/dns-hook\) present .*cannot start: no such program/) });
    } finally {
      await f.stop();
    }
  });
});

describe('exec provider environment', () => {
  const rec = { name: '_acme-challenge', type: 'TXT', data: 'v', ttl: 60 };
  const SECRETS = { CERTFLEET_PDNS_API_KEY: 'pdns-key-for-exec-test-123', CERTFLEET_STORE_KEY: 'store-key-for-exec-test-456' };

  it('the program gets the allow-list, its CERTFLEET_* variables, env and pass_env; no secret of certfleet\'s environment', async () => {
    for (const [k, v] of Object.entries(SECRETS)) {
      registerSecret(v);
      process.env[k] = v;
    }
    process.env.CERTFLEET_EXEC_TEST_PASSED = 'named-in-pass-env';
    const cap = captureLog();
    try {
      const provider = new ExecProvider({ id: 'env', command: [process.execPath, '-e', 'console.log(JSON.stringify(process.env))'], env: { DNS_API_URL: 'https://dns.example.test' }, passEnv: ['CERTFLEET_EXEC_TEST_PASSED'], timeoutMs: 10_000, log: cap.log });
      await provider.appendRecords('example.test', [rec], AbortSignal.timeout(10_000));
      const env = JSON.parse(String(cap.records().find((r) => r.msg === 'child_output' && r.stream === 'stdout')!.line)) as Record<string, string>;
      expect(Object.keys(env).sort()).toEqual(['CERTFLEET_ACTION', 'CERTFLEET_EXEC_TEST_PASSED', 'CERTFLEET_FQDN', 'CERTFLEET_TTL', 'CERTFLEET_VALUE', 'CERTFLEET_ZONE', 'DNS_API_URL',
        ...['HOME', 'LANG', 'LC_ALL', 'PATH', 'TZ'].filter((k) => process.env[k] !== undefined)].sort());
      expect(env).toMatchObject({ CERTFLEET_ACTION: 'present', CERTFLEET_FQDN: '_acme-challenge.example.test.', DNS_API_URL: 'https://dns.example.test', CERTFLEET_EXEC_TEST_PASSED: 'named-in-pass-env' });
    } finally {
      for (const k of [...Object.keys(SECRETS), 'CERTFLEET_EXEC_TEST_PASSED']) delete process.env[k];
    }
  });
});

describe('exec provider answers', () => {
  it('a value given twice in one call runs the program once and is reported once', async () => {
    const cap = captureLog();
    const provider = new ExecProvider({ id: 'count', command: [process.execPath, '-e', 'console.log(process.env.CERTFLEET_ACTION)'], timeoutMs: 10_000, log: cap.log });
    const rec = { name: '_acme-challenge', type: 'TXT', data: 'twice', ttl: 60 };
    expect(await provider.appendRecords('example.test', [rec, { ...rec, name: '_ACME-challenge' }], AbortSignal.timeout(10_000))).toEqual([rec]);
    expect(await provider.deleteRecords('example.test', [rec, rec], AbortSignal.timeout(10_000))).toEqual([rec]);
    expect(cap.records().filter((r) => r.msg === 'child_output' && r.stream === 'stdout').map((r) => r.line)).toEqual(['present', 'cleanup']);
  });
});
