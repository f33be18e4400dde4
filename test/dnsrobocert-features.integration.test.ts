import { execFile } from 'node:child_process';
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCertfleet, type CertfleetRun } from './support/run-certfleet.js';
import { localConfigText, startLocalStack, type LocalStack } from './support/local-stack.js';

/**
 * The DNSroboCert features of issue 17 through bin/certfleet against pebble and PowerDNS:
 * draft, force_renew, x-* anchors, PFX without a passphrase, numeric ids and the hook's profile.
 */
const hookScript = path.resolve(import.meta.dirname, 'fixtures/record-hook.mjs');
const run = promisify(execFile);
let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack(['example.test']);
});
afterAll(() => stack?.stop());

function certfleet(...args: string[]): Promise<CertfleetRun> {
  return certfleetWith({}, ...args);
}

function certfleetWith(env: NodeJS.ProcessEnv, ...args: string[]): Promise<CertfleetRun> {
  // A draft `run` that started the daemon after all would be stopped here, and the test fail.
  return runCertfleet(args, { env, timeoutMs: 30_000 });
}

describe('DNSroboCert features (pebble + PowerDNS, bin/certfleet)', () => {
  it('draft orders nothing; then force_renew renews on every issue, the daemon plan waits 12 h, and the deploy gets profile, an unencrypted PFX and numeric ids', async () => {
    const store = path.join(stack.dir, 'drc');
    const hookLog = path.join(stack.dir, 'drc-hooks.log');
    process.env.HOOK_LOG = hookLog;
    const certs = `  - name: web
    domains: [web.example.test]
    dns: home
    force_renew: true
    deploy: *deploy
`;
    const anchors = `x-deploy: &deploy
  - pfx: {}
  - permissions: { user: 4242, group: 4343 }
  - hook: { command: ["${process.execPath}", "${hookScript}", deployed], pass_env: [HOOK_LOG] }
`;
    const text = (draft: boolean) => `${anchors}${draft ? 'draft: true\n' : ''}${localConfigText({ store, pebble: stack.pebble, pdns: stack.pdns, certs, extraTop: 'server: { listen: "127.0.0.1:0" }\n' })}`;
    const file = path.join(stack.dir, 'drc.yaml');
    await writeFile(file, text(true));

    expect(await certfleet('check-config', '--config', file)).toMatchObject({ code: 0 });
    const draftIssue = await certfleet('issue', '--config', file, '--log-format', 'json');
    expect(draftIssue.code).toBe(0);
    expect(draftIssue.stdout).toBe('web: issue (no certificate yet)\ndraft: 1 of 1 would be obtained now; nothing was changed\n');
    expect(draftIssue.stderr.split('\n').filter((l) => l.includes('draft_mode'))).toHaveLength(1);
    const draftRun = await certfleet('run', '--config', file, '--log-format', 'json');
    expect(draftRun).toMatchObject({ code: 0, stdout: 'web: issue (no certificate yet)\ndraft: 1 of 1 would be obtained now; nothing was changed\n' });
    // Nothing was ordered or written: no account, no certificate, no state.
    await expect(stat(store)).rejects.toThrow(/ENOENT/);

    await writeFile(file, text(false));
    // Production mode refuses the unencrypted PFX (among the findings of this test config); development warns.
    const refused = await certfleetWith({ CERTFLEET_ENV: 'production' }, 'issue', '--config', file);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('certificates[0].deploy[0].pfx has no passphrase: cert.pfx holds the private key unencrypted');
    await expect(stat(store)).rejects.toThrow(/ENOENT/);
    const first = await certfleet('issue', '--config', file, '--log-format', 'json');
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^web: issued/);
    expect(first.stderr.split('\n').filter((l) => l.includes('pfx has no passphrase') && l.includes('"level":"warn"'))).toHaveLength(1);
    const second = await certfleet('issue', '--config', file);
    expect(second.stdout).toMatch(/^web: renewed/);
    const hooks = (await readFile(hookLog, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { env: Record<string, string> });
    expect(hooks.map((h) => [h.env.CERTFLEET_EVENT, h.env.DNSROBOCERT_CERTIFICATE_PROFILE])).toEqual([['issued', 'home'], ['renewed', 'home']]);

    const live = path.join(store, 'live', 'web');
    const pfx = path.join(live, 'cert.pfx');
    expect((await stat(pfx)).mode & 0o777).toBe(0o600);
    const opened = await run('openssl', ['pkcs12', '-in', pfx, '-nodes', '-passin', 'pass:']);
    expect(opened.stdout).toContain('BEGIN PRIVATE KEY');
    if (process.getuid?.() === 0) {
      const key = await stat(path.join(live, 'privkey.pem'));
      expect([key.uid, key.gid]).toEqual([4242, 4343]);
    }

    // The daemon's view: the certificate just renewed waits 12 hours; list says why.
    const plan = await certfleet('run', '--config', file, '--dry-run');
    expect(plan.stdout).toMatch(/^web: keep until \S+ \(force_renew \(every 12 h\) at \S+\)\n/);
    const list = JSON.parse((await certfleet('list', '--config', file, '--json')).stdout) as { why: string }[];
    expect(list[0]!.why).toMatch(/^force_renew \(every 12 h\) at /);
  }, 120_000);
});
