import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/load-config.js';
import { issueAll } from '../src/daemon/issue-run.js';
import { localConfigText, startLocalStack, type LocalStack } from './support/local-stack.js';
import { captureLog } from './support/test-log.js';

let stack: LocalStack;
const log = captureLog().log;

beforeAll(async () => {
  stack = await startLocalStack(['example.test', 'delegated.test']);
});
afterAll(() => stack?.stop());

/** Writes a CNAME through the PowerDNS API (what the user does once to delegate). */
async function cname(from: string, to: string, zone: string): Promise<void> {
  const res = await fetch(`${stack.pdns.apiUrl}/api/v1/servers/localhost/zones/${zone}.`, {
    method: 'PATCH',
    headers: { 'x-api-key': stack.pdns.apiKey, 'content-type': 'application/json' },
    body: JSON.stringify({ rrsets: [{ name: `${from}.`, type: 'CNAME', ttl: 60, changetype: 'REPLACE', records: [{ content: `${to}.`, disabled: false }] }] }),
  });
  if (res.status !== 204) throw new Error(`CNAME ${from}: HTTP ${res.status} ${await res.text()}`);
}

async function txtNames(zone: string): Promise<string[]> {
  const res = await fetch(`${stack.pdns.apiUrl}/api/v1/servers/localhost/zones/${zone}.`, { headers: { 'x-api-key': stack.pdns.apiKey } });
  return (await res.json() as { rrsets: { name: string; type: string }[] }).rrsets.filter((r) => r.type === 'TXT').map((r) => r.name);
}

/** A config with two provider ids for this PowerDNS; `homeKey` lets a test make `home` unusable. */
function config(store: string, certs: string, homeKey = stack.pdns.apiKey) {
  const second = `    challenges:\n      type: powerdns\n      api_url: ${stack.pdns.apiUrl}\n      api_key: ${stack.pdns.apiKey}\n      propagation:\n        nameservers: [${stack.pdns.dnsAddress}]\n        timeout: 10s\n`;
  return parseConfig(localConfigText({ store: path.join(stack.dir, store), pebble: stack.pebble, pdns: stack.pdns, certs, apiKey: homeKey, extraProviders: second }), 'cname.yaml');
}

describe('CNAME delegation and per-domain providers', () => {
  it('writes the record where _acme-challenge points, with the provider routed to that zone', async () => {
    await cname('_acme-challenge.www.example.test', 'www.acme.delegated.test', 'example.test');
    // `home` cannot write (wrong key): success proves the record went through `challenges`.
    const cfg = config('deleg', '  - name: deleg\n    domains: [www.example.test]\n    dns: { example.test: home, delegated.test: challenges }\n', 'wrong-key-for-home');
    const out = await issueAll(cfg, log, {}, AbortSignal.timeout(60_000));
    expect(out).toMatchObject([{ name: 'deleg', result: 'issued' }]);
    expect(await readdir(path.join(stack.dir, 'deleg', 'live', 'deleg'))).toContain('fullchain.pem');
    expect(await txtNames('example.test')).toEqual([]);
    expect(await txtNames('delegated.test')).toEqual([]);
  });

  it('follow_cnames: false writes at _acme-challenge.<domain> itself (and fails there, because the CNAME is in the way)', async () => {
    const cfg = config('nofollow', '  - name: nofollow\n    domains: [www.example.test]\n    dns: home\n    follow_cnames: false\n');
    const out = await issueAll(cfg, log, {}, AbortSignal.timeout(60_000));
    expect(out[0]).toMatchObject({ result: 'failed', detail: expect.stringMatching(/PowerDNS provider home, zone example\.test/) });
    expect(await txtNames('example.test')).toEqual([]);
  });

  it('a chain that leaves every configured zone, and a loop: one clear error each, nothing written', async () => {
    await cname('_acme-challenge.out.example.test', 'x.delegated.test', 'example.test');
    const leave = config('leave', '  - name: leave\n    domains: [out.example.test]\n    dns: { example.test: home }\n');
    expect((await issueAll(leave, log, {}, AbortSignal.timeout(60_000)))[0]).toMatchObject({
      result: 'failed', detail: expect.stringMatching(/^leave: no DNS provider is configured for x\.delegated\.test/),
    });
    await cname('_acme-challenge.loop.example.test', 'a.delegated.test', 'example.test');
    await cname('a.delegated.test', '_acme-challenge.loop.example.test', 'delegated.test');
    const loop = config('loop', '  - name: loop\n    domains: [loop.example.test]\n    dns: home\n');
    expect((await issueAll(loop, log, {}, AbortSignal.timeout(60_000)))[0]).toMatchObject({
      result: 'failed', detail: 'CNAME loop at _acme-challenge.loop.example.test: _acme-challenge.loop.example.test -> a.delegated.test -> _acme-challenge.loop.example.test',
    });
    expect(await txtNames('example.test')).toEqual([]);
    expect(await txtNames('delegated.test')).toEqual([]);
  });
});
