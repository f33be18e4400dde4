import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileStore } from '../../src/store/file-store.js';
import { localConfigText, startLocalStack, type LocalStack } from '../support/local-stack.js';
import { CertfleetRun, issue } from './support/certfleet-run.js';
import { zoneTxt } from './support/zone-txt.js';

/** Outages of PowerDNS (SIGKILL, restart on its ports and data) during an issue run of CERTS certificates. */
const OUTAGES = process.env.CHAOS_FULL ? 10 : 3;
const CERTS = 6;
/** How long PowerDNS stays down: like a restart after a crash or an upgrade. */
const DOWN_MS = 1500;

let stack: LocalStack;
let root: string;

beforeAll(async () => {
  stack = await startLocalStack(['example.test']);
  root = path.join(stack.dir, 'store');
});
afterAll(() => stack?.stop());

describe(`PowerDNS killed and restarted mid-run (${OUTAGES} outages)`, () => {
  it('every certificate is eventually issued and no TXT value is left behind', async () => {
    const store = new FileStore({ root });
    const firstRunFailures: number[] = [];
    const extraRuns: number[] = [];
    /** Retried DNS writes, lookups and deletes in the run with the outage: that it was felt. */
    const retriesSeen: number[] = [];
    for (let round = 0; round < OUTAGES; round++) {
      const names = Array.from({ length: CERTS }, (_, i) => `r${round}c${i}`);
      const configFile = path.join(stack.dir, `round${round}.yaml`);
      await writeFile(configFile, localConfigText({
        store: root, pebble: stack.pebble, pdns: stack.pdns,
        certs: names.map((n) => `  - name: ${n}\n    domains: [${n}.example.test, "*.${n}.example.test"]\n    dns: home\n`).join(''),
      }));
      const run = new CertfleetRun(['issue', '--config', configFile, '--log-format', 'json', '--log-level', 'debug']);
      try {
        // The outage starts anywhere from the first order's DNS writes to the middle of
        // validation: counted from the first order (a sleep from the process's start missed all
        // of a run's DNS work on a slow host, once in every three rounds of a CI run).
        expect(await run.stderrShows(/"msg":"new_order"/, 60_000), 'the run created no order').toBe(true);
        await sleep(Math.random() * 150);
        await stack.pdns.kill();
        await sleep(DOWN_MS);
        await stack.pdns.restart();
      } catch (err) {
        // Should the restart fail, the run is not left behind.
        run.kill('SIGKILL');
        await run.done;
        throw err;
      }
      const first = await run.result(120_000);
      expect(first.signal, first.stdout).toBeNull();

      // What failed is tried again (forced: a failure waits out its backoff otherwise), as an operator or the daemon would.
      let missing = names.filter((n) => !new RegExp(`^${n}: issued `, 'm').test(first.stdout));
      firstRunFailures.push(missing.length);
      retriesSeen.push((first.stderr.match(/"msg":"(txt_write_retry|cleanup_retry|dns_lookup_retry)"/g) ?? []).length);
      let runs = 0;
      while (missing.length > 0 && runs < 3) {
        runs++;
        const again = await issue(configFile, ['--force', ...missing.flatMap((n) => ['--cert', n])], 120_000);
        missing = missing.filter((n) => !new RegExp(`^${n}: (issued|renewed) `, 'm').test(again.stdout));
      }
      extraRuns.push(runs);
      expect(missing, `round ${round}`).toEqual([]);
      expect(await zoneTxt(stack.pdns, 'example.test'), `round ${round}: ${first.stdout}`).toEqual([]);
      for (const n of names) expect((await store.readState(n, AbortSignal.timeout(10_000))).state.pendingTxt, `round ${round} ${n}`).toBeUndefined();
    }
    console.log(`powerdns-outage: ${OUTAGES} outages of ${DOWN_MS} ms, ${CERTS} certificates each; failed in the run with the outage: ${firstRunFailures.join(', ')}; DNS retries in it: ${retriesSeen.join(', ')}; runs needed after it: ${extraRuns.join(', ')}`);
    // The outages hit the runs (else this test proves nothing).
    expect(firstRunFailures.reduce((a, b) => a + b, 0) + retriesSeen.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  }, 600_000);
});
