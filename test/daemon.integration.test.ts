import { readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './support/free-port.js';
import { DaemonProcess } from './support/daemon-process.js';
import { localConfigText, startLocalStack, type LocalStack } from './support/local-stack.js';

let stack: LocalStack;
const daemons: DaemonProcess[] = [];
const KEY_VAR = 'CERTFLEET_TEST_PDNS_KEY';

beforeAll(async () => {
  stack = await startLocalStack(['example.test']);
});
afterAll(async () => {
  await Promise.all(daemons.map((d) => d.stop('SIGKILL')));
  await stack?.stop();
  // Every daemon's output is searched for the PowerDNS key by the suite's secret scan.
  expect(daemons.flatMap((d) => d.lines).length).toBeGreaterThan(0);
});

const cert = (n: string) => `  - name: ${n}\n    domains: [${n}.example.test]\n    dns: home\n`;

/** The config of one test: the API key comes from the environment, the server on a free port. */
function configText(store: string, certs: string, extraProviders = ''): string {
  return localConfigText({
    store, pebble: stack.pebble, pdns: stack.pdns, certs, apiKey: `\${${KEY_VAR}}`,
    extraTop: 'server:\n  listen: 127.0.0.1:0\n', extraProviders,
  });
}

/** What editors do: write a temporary file, then rename it over the config. */
async function saveByRename(file: string, text: string): Promise<void> {
  await writeFile(`${file}.tmp`, text);
  await rename(`${file}.tmp`, file);
}

async function txtRecordsLeft(): Promise<string[]> {
  const res = await fetch(`${stack.pdns.apiUrl}/api/v1/servers/localhost/zones/example.test.`, { headers: { 'x-api-key': stack.pdns.apiKey } });
  const z = await res.json() as { rrsets: { name: string; type: string }[] };
  return z.rrsets.filter((r) => r.type === 'TXT').map((r) => r.name);
}

describe('certfleet run', () => {
  it('obtains three certificates, serves health and metrics, adds a fourth on edit without touching the others, survives a bad edit', async () => {
    const dir = path.join(stack.dir, 'd1');
    const store = path.join(dir, 'store');
    const file = path.join(stack.dir, 'd1.yaml');
    await writeFile(file, configText(store, cert('a') + cert('b') + cert('c')));
    const d = DaemonProcess.start(file, { [KEY_VAR]: stack.pdns.apiKey });
    daemons.push(d);
    const listening = await d.waitFor(d.msg('http_listening'));
    const base = String(listening.address);
    // `run` is the daemon's own process: the start's garbage is collected once its work is done.
    const compacted = await d.waitFor(d.msg('heap_compacted', { after: 'start' }));
    expect(Number(compacted.heap_after_mb)).toBeLessThanOrEqual(Number(compacted.heap_before_mb));
    await d.waitFor(d.msg('settled'));
    for (const n of ['a', 'b', 'c']) await d.waitFor(d.msg('issued', { cert: n }));

    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { config: true, store: true, scheduler: true } });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    for (const n of ['a', 'b', 'c']) expect(metrics).toMatch(new RegExp(`^certfleet_certificate_not_after_seconds\\{name="${n}"\\} \\d{10}$`, 'm'));
    expect(metrics).toMatch(/^certfleet_issuance_attempts_total\{result="issued"\} 3$/m);
    for (const n of ['a', 'b', 'c']) {
      expect(metrics).toMatch(new RegExp(`^certfleet_certificate_last_attempt\\{name="${n}",result="issued"\\} \\d{10}$`, 'm'));
      expect(metrics).toMatch(new RegExp(`^certfleet_issuance_failures_total\\{name="${n}"\\} 0$`, 'm'));
      expect(metrics).toMatch(new RegExp(`^certfleet_certificate_issued\\{name="${n}"\\} 1$`, 'm'));
    }
    expect(metrics).toMatch(/^certfleet_acme_request_duration_seconds_count\{endpoint="newOrder",status="201"\} 3$/m);
    expect(metrics).toMatch(/^certfleet_dns_propagation_duration_seconds_count 3$/m);

    // Add a fourth certificate; the other three must not be looked at again.
    const mark = d.records.length;
    const saved = performance.now();
    await saveByRename(file, configText(store, cert('a') + cert('b') + cert('c') + cert('d')));
    const reloaded = await d.waitFor(d.msg('config_reloaded'), 10_000, mark);
    expect(reloaded).toMatchObject({ added: ['d'], changed: [], removed: [] });
    await d.waitFor(d.msg('issued', { cert: 'd' }), 30_000, mark);
    const editToFiles = performance.now() - saved;
    expect((await readFile(path.join(store, 'live', 'd', 'fullchain.pem'), 'utf8'))).toMatch(/BEGIN CERTIFICATE/);
    expect(d.records.slice(mark).filter((r) => r.cert !== undefined && r.cert !== 'd')).toEqual([]);
    for (const n of ['a', 'b', 'c']) expect(await readdir(path.join(store, 'archive', n))).toEqual(['cert1.pem', 'chain1.pem', 'fullchain1.pem', 'privkey1.pem']);
    console.log(`edit to files in live/: ${editToFiles.toFixed(0)} ms`);

    // An invalid edit: problems logged with their location; the daemon runs on.
    const bad = d.records.length;
    await saveByRename(file, configText(store, `${cert('a')}  - name: e\n    domains: [e.example.test]\n    dns: nowhere\n    key_type: dsa\n`));
    const invalid = await d.waitFor(d.msg('config_invalid_keeping_last_good'), 10_000, bad);
    expect(invalid.problems).toEqual([
      expect.stringMatching(/d1\.yaml:\d+:10: certificates\[1\]\.dns: unknown DNS provider "nowhere"/),
      expect.stringMatching(/d1\.yaml:\d+:15: certificates\[1\]\.key_type: /),
    ]);
    // The config file vanishes: reported once, still running on the last good config.
    await rename(file, `${file}.gone`);
    await d.waitFor(d.msg('config_unreadable_keeping_last_good'), 10_000, bad);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    expect(await (await fetch(`${base}/metrics`)).text()).toMatch(/^certfleet_config_reloads_total\{result="failure"\} 2$/m);

    const stopped = await d.stop();
    expect(stopped).toEqual({ code: 0, signal: null });
    expect(d.records.at(-1)).toMatchObject({ msg: 'stopped' });
    expect(d.records.find((r) => r.msg === 'planned')).toMatchObject({ planned: 0, jobs: 3 });

    // Started again with the four issued: all four are planned from the store's bulk read without
    // a job (the first run learned that this CA has no ARI, kept beside the account), and nothing is issued.
    await rename(`${file}.gone`, file);
    await saveByRename(file, configText(store, cert('a') + cert('b') + cert('c') + cert('d')));
    const again = DaemonProcess.start(file, { [KEY_VAR]: stack.pdns.apiKey });
    daemons.push(again);
    expect(await again.waitFor(again.msg('planned'))).toMatchObject({ planned: 4, jobs: 0 });
    const againBase = String((await again.waitFor(again.msg('http_listening'))).address);
    const planned = await (await fetch(`${againBase}/metrics`)).text();
    for (const n of ['a', 'b', 'c', 'd']) expect(planned).toMatch(new RegExp(`^certfleet_certificate_next_renewal_seconds\\{name="${n}"\\} \\d{10}$`, 'm'));
    expect(await again.stop()).toEqual({ code: 0, signal: null });
    expect(again.records.filter((r) => r.msg === 'issued' || r.msg === 'obtaining')).toEqual([]);
  });

  it('SIGTERM during an issuance: exits 0 within 10 s and leaves no TXT record', async () => {
    // A provider whose propagation check asks a server that never answers: the issuance waits
    // there, after its TXT record was written, until the signal arrives.
    const silent = await freePort();
    const slow = `    slow:\n      type: powerdns\n      api_url: ${stack.pdns.apiUrl}\n      api_key: \${${KEY_VAR}}\n      propagation:\n        nameservers: [127.0.0.1:${silent}]\n        timeout: 5m\n`;
    const file = path.join(stack.dir, 'd2.yaml');
    await writeFile(file, configText(path.join(stack.dir, 'd2'), '  - name: stuck\n    domains: [stuck.example.test, "*.stuck.example.test"]\n    dns: slow\n', slow));
    const d = DaemonProcess.start(file, { [KEY_VAR]: stack.pdns.apiKey });
    daemons.push(d);
    await d.waitFor(d.msg('obtaining', { cert: 'stuck' }));
    // Wait until the record is really there, so the test proves the cleanup.
    for (let i = 0; i < 100 && !(await txtRecordsLeft()).includes('_acme-challenge.stuck.example.test.'); i++) await new Promise((r) => setTimeout(r, 50));
    expect(await txtRecordsLeft()).toContain('_acme-challenge.stuck.example.test.');
    const t0 = performance.now();
    const exit = await d.stop('SIGTERM');
    const ms = performance.now() - t0;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(ms).toBeLessThan(10_000);
    expect(await txtRecordsLeft()).toEqual([]);
    expect(d.records.map((r) => r.msg)).toEqual(expect.arrayContaining(['stopping', 'interrupted', 'stopped']));
  });

  it('SIGTERM during the start (0-20 ms after it began): exit 0 after a clean stop, not 143', async () => {
    const file = path.join(stack.dir, 'd5.yaml');
    await writeFile(file, configText(path.join(stack.dir, 'd5'), cert('early')));
    const delays = [0, 5, 10, 10, 20];
    let midStart = 0;
    const startMs: number[] = [];
    for (const delay of delays) {
      const d = DaemonProcess.start(file, { [KEY_VAR]: stack.pdns.apiKey });
      daemons.push(d);
      const starting = await d.waitFor(d.msg('starting'));
      await new Promise((r) => setTimeout(r, delay));
      if (!d.records.some((r) => r.msg === 'started')) midStart++;
      expect(await d.stop('SIGTERM'), `SIGTERM ${delay} ms after start`).toEqual({ code: 0, signal: null });
      const started = d.records.find((r) => r.msg === 'started');
      if (started) startMs.push(Date.parse(String(started.time)) - Date.parse(String(starting.time)));
      expect(d.records.at(-1)).toMatchObject({ msg: 'stopped' });
    }
    console.log(`SIGTERM during start: ${midStart} of ${delays.length} arrived before 'started'; start took ${startMs.join(', ') || '-'} ms where it finished`);
    // Otherwise this would not test the start at all.
    expect(midStart).toBeGreaterThan(0);
  });

  it('refuses to start on an invalid config with exit 2 and every problem', async () => {
    const file = path.join(stack.dir, 'd3.yaml');
    await writeFile(file, configText(path.join(stack.dir, 'd3'), cert('a')).replace(`\${${KEY_VAR}}`, '${HOME}'));
    const d = DaemonProcess.start(file);
    daemons.push(d);
    expect(await d.exited).toEqual({ code: 2, signal: null });
    expect(d.lines.join('\n')).toMatch(/d3\.yaml:\d+:16: dns\.providers\.home\.api_key: variable HOME is not allowed/);
  });

  it('--dry-run prints the plan and changes nothing', async () => {
    const file = path.join(stack.dir, 'd4.yaml');
    const store = path.join(stack.dir, 'd4');
    await writeFile(file, configText(store, cert('p')));
    const d = DaemonProcess.start(file, { [KEY_VAR]: 'unused' }, ['--dry-run']);
    daemons.push(d);
    expect(await d.exited).toEqual({ code: 0, signal: null });
    expect(d.lines.join('')).toMatch(/^p: issue \(no certificate yet\)\ndry run: 1 of 1 would be obtained now; nothing was changed\n$/);
    await expect(readdir(store)).rejects.toThrow(/ENOENT/);
  });
});
