import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/load-config.js';
import { webhookSignature } from '../src/deploy/webhook-action.js';
import { issueAll } from '../src/daemon/issue-run.js';
import { localConfigText, startLocalStack, type LocalStack } from './support/local-stack.js';
import { registerOutput } from './support/secret-scan.js';
import { captureLog } from './support/test-log.js';

const hookScript = path.resolve(import.meta.dirname, 'fixtures/record-hook.mjs');
const bin = path.resolve(import.meta.dirname, '../bin/certfleet');
let stack: LocalStack;
let receiver: Server;
let receiverUrl: string;
const received: { path: string; sig: string; body: string }[] = [];

beforeAll(async () => {
  stack = await startLocalStack(['example.test']);
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString(); });
    req.on('end', () => { received.push({ path: req.url ?? '', sig: String(req.headers['x-certfleet-signature'] ?? ''), body }); res.writeHead(200).end(); });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}`;
});
afterAll(async () => {
  receiver?.close();
  await stack?.stop();
});

describe('deploy actions after issuance and renewal (pebble + PowerDNS)', () => {
  it('fires the actions in the configured order, on issue and on renewal; certfleet deploy runs them again; failures are notified', async () => {
    const store = path.join(stack.dir, 'dstore');
    const hookLog = path.join(stack.dir, 'hooks.log');
    const pfx = path.join(store, 'live', 'web', 'cert.pfx');
    await writeFile(path.join(stack.dir, 'pfx.pass'), 'pfx-pass-123456\n');
    process.env.HOOK_LOG = hookLog;
    process.env.HOOK_CHECK = pfx;
    const certs = `  - name: web
    domains: [web.example.test]
    dns: home
    deploy:
      - hook: { command: ["${process.execPath}", "${hookScript}", before-pfx], pass_env: [HOOK_LOG, HOOK_CHECK] }
      - pfx: { passphrase_file: pfx.pass }
      - hook: { command: ["${process.execPath}", "${hookScript}", after-pfx], timeout: 20s, pass_env: [HOOK_LOG, HOOK_CHECK] }
      - permissions: { files_mode: "0640", dirs_mode: "0750" }
      - copy: { combined: ${stack.dir}/haproxy/web.pem, mode: "0600" }
      - webhook: { url: "${receiverUrl}/deployed", secret: deploy-hmac-secret }
  - name: broken
    domains: [nowhere.invalid]
    dns: home
`;
    const top = `notify:\n  - webhook: { url: "${receiverUrl}/notify", events: [failed, renewed] }\n`;
    const file = path.join(stack.dir, 'deploy.yaml');
    // The API key comes from the environment, as in production: the hooks must not inherit it.
    process.env.CERTFLEET_PDNS_API_KEY = stack.pdns.apiKey;
    const text = localConfigText({ store, pebble: stack.pebble, pdns: stack.pdns, apiKey: '${CERTFLEET_PDNS_API_KEY}', certs, extraTop: top });
    await writeFile(file, text);
    const config = parseConfig(text, file);

    const first = await issueAll(config, captureLog().log, {}, AbortSignal.timeout(60_000));
    expect(first.find((o) => o.name === 'web')).toMatchObject({ result: 'issued', deploy: [{ result: 'ok' }, { result: 'ok' }, { result: 'ok' }, { result: 'ok' }, { result: 'ok' }, { result: 'ok' }] });
    let lines = (await readFile(hookLog, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { argv: string[]; env: Record<string, string>; checked: boolean });
    expect(lines.map((l) => [l.argv[0], l.checked, l.env.CERTFLEET_EVENT])).toEqual([['before-pfx', false, 'issued'], ['after-pfx', true, 'issued']]);
    expect(lines.map((l) => Object.keys(l.env).filter((k) => !/^(CERTFLEET_(CERT_NAME|DOMAINS|LIVE_DIR|CERT_PATH|KEY_PATH|FULLCHAIN_PATH|CHAIN_PATH|EVENT|NOT_AFTER)|RENEWED_(LINEAGE|DOMAINS)|DNSROBOCERT_CERTIFICATE_(NAME|DOMAINS|PROFILE))$/.test(k)))).toEqual([[], []]);
    expect(lines.map((l) => l.env.DNSROBOCERT_CERTIFICATE_PROFILE)).toEqual(['home', 'home']);
    expect(await readFile(path.join(stack.dir, 'haproxy', 'web.pem'), 'utf8')).toMatch(/BEGIN CERTIFICATE[\s\S]*PRIVATE KEY/);
    const deployed = received.filter((r) => r.path === '/deployed');
    expect(deployed).toHaveLength(1);
    expect(deployed[0]!.sig).toBe(webhookSignature('deploy-hmac-secret', deployed[0]!.body));
    // The failing certificate was notified, with its error; the working one was not (issued is not subscribed).
    const notified = received.filter((r) => r.path === '/notify').map((r) => JSON.parse(r.body) as Record<string, unknown>);
    expect(notified).toEqual([expect.objectContaining({ event: 'failed', certificate: 'broken', emergency: false, error: expect.stringMatching(/nowhere\.invalid/), next_attempt: expect.any(String) })]);

    // Renewal: the same actions again, with CERTFLEET_EVENT=renewed, and a renewed notification.
    const again = await issueAll(config, captureLog().log, { force: true, only: ['web'] }, AbortSignal.timeout(60_000));
    expect(again).toMatchObject([{ name: 'web', result: 'renewed' }]);
    lines = (await readFile(hookLog, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { argv: string[]; env: Record<string, string>; checked: boolean });
    expect(lines.slice(2).map((l) => [l.argv[0], l.env.CERTFLEET_EVENT])).toEqual([['before-pfx', 'renewed'], ['after-pfx', 'renewed']]);
    expect(received.filter((r) => r.path === '/notify').map((r) => (JSON.parse(r.body) as { event: string }).event)).toEqual(['failed', 'renewed']);

    // certfleet deploy: the actions again, without a new certificate.
    const r = await promisify(execFile)(bin, ['deploy', '--config', file, '--cert', 'web', '--log-format', 'json'], { env: { ...process.env } });
    registerOutput([r.stdout, r.stderr]);
    expect(r.stdout.trim().split('\n')).toHaveLength(6);
    expect(r.stdout).toMatch(/^pfx: ok$/m);
    expect((await readFile(hookLog, 'utf8')).trim().split('\n')).toHaveLength(6);
    const archive = await readFile(path.join(store, 'renewal', 'web.json'), 'utf8');
    expect(JSON.parse(archive)).toMatchObject({ version: 2 });
    delete process.env.HOOK_CHECK;
    delete process.env.CERTFLEET_PDNS_API_KEY;
  });
});
