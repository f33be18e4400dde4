import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/load-config.js';
import { composeRenewer } from '../src/daemon/compose.js';
import { sqlRows, useFleetStack } from './chaos/support/fleet-stack.js';
import { zoneTxt } from './chaos/support/zone-txt.js';
import { certEntry, servedCert } from './support/fleet-daemons.js';
import { localConfigText } from './support/local-stack.js';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.js';
import { captureLog } from './support/test-log.js';

const S = () => AbortSignal.timeout(20_000);
/** Short, so the test is quick; without the deadline the attempt lasts 10 attempts of 30 s per request. */
const DEADLINE_MS = 8_000;

/**
 * A CA that stops answering mid-order (what pebble 2.4 does when it deadlocks, docs/benchmarks.md):
 * host A reaches pebble through a TCP relay that, once A has fetched its authorization, forwards
 * nothing any more while keeping every connection open. A's attempt must end at its deadline with
 * its TXT value removed, its lease released and its failure backed off; host B then completes the
 * certificate on the same database.
 */
describe('fleet: a CA that stops answering mid-order', () => {
  const env = useFleetStack();
  let relay: TcpProxy;
  beforeAll(async () => {
    relay = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(env.stack.pebble.directoryUrl).port) });
  });
  afterAll(async () => {
    await relay?.close();
  });

  async function hostConfig(url: string, id: string, directory: string) {
    const store = path.join(env.stack.dir, id);
    const text = localConfigText({ store, directory, pebble: env.stack.pebble, pdns: env.stack.pdns, certs: certEntry('stall') })
      .replace(`store:\n  path: ${store}\n`, `store:\n  type: postgres\n  url: ${url}\n  path: ${store}\n  host: ${id}\n  lease_ttl: 3s\n`);
    const file = path.join(env.stack.dir, `${id}.yaml`);
    await writeFile(file, text);
    return { config: parseConfig(text, file), path: store };
  }

  it('ends the attempt at its deadline: TXT removed, lease released, failure backed off; another host then issues it', async () => {
    const url = await env.server.createDatabase();
    const relayed = `https://127.0.0.1:${relay.port}/dir`;
    const a = await hostConfig(url, 'a', relayed);
    const b = await hostConfig(url, 'b', env.stack.pebble.directoryUrl);
    const spec = a.config.certificates[0]!;

    let cut = false;
    const logA = captureLog();
    const hostA = composeRenewer(a.config, {
      log: logA.log,
      issuanceTimeoutMs: DEADLINE_MS,
      hooks: {
        onRequest: (r) => {
          // The authorization's answer, not a badNonce refusal of it (pebble refuses 5 % of nonces):
          // a cut there blackholed the retry, before any TXT value was written.
          if (cut || !r.url.includes('/authZ/') || r.status !== 200) return;
          cut = true;
          void relay.cut('blackhole');
        },
      },
    });
    await hostA.ready(S());
    const out = await hostA.renewer.process(spec, {}, new AbortController().signal);
    expect(cut).toBe(true);
    // It was cut after writing its TXT value (so the cleanup below is the deadline's).
    expect(logA.records().some((r) => r.msg === 'propagated')).toBe(true);
    expect(out).toMatchObject({ result: 'failed', detail: expect.stringMatching(/^stall: the issuance did not finish within 8 s and was stopped/) });
    // The lease goes once the TXT cleanup is done (close waits for it).
    await hostA.renewer.close();
    expect(await sqlRows(url, "SELECT name FROM leases WHERE name = 'stall' AND expires_at > now()")).toEqual([]);
    expect(await zoneTxt(env.stack.pdns, 'example.test')).toEqual([]);
    const { state } = await hostA.store.readState('stall', S());
    expect(state).toMatchObject({ failures: 1, lastResult: 'failed', lastError: expect.stringMatching(/did not finish within 8 s/) });
    expect(state.pendingTxt ?? []).toEqual([]);
    await hostA.close();

    // Host B honours the backoff, then issues it once it is over (its clock moved past the retry time).
    const clock = { offset: 0, now() { return Date.now() + this.offset; } };
    const hostB = composeRenewer(b.config, { log: captureLog().log, clock });
    await hostB.ready(S());
    try {
      expect((await hostB.renewer.process(spec, {}, S())).result).toBe('skipped');
      clock.offset = Date.parse(state.nextAttempt!) - Date.now() + 1_000;
      expect(await hostB.renewer.process(spec, {}, AbortSignal.timeout(60_000))).toMatchObject({ result: 'issued' });
      expect(await servedCert(b.path, 'stall')).toMatch(/BEGIN CERTIFICATE/);
      expect(await sqlRows(url, "SELECT version FROM certificates WHERE name = 'stall'")).toEqual([{ version: 1 }]);
    } finally {
      await hostB.renewer.close();
      await hostB.close();
    }
  }, 90_000);
});
