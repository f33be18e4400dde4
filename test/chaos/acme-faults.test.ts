import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, it, vi } from 'vitest';
import type * as RetryPolicyModule from '../../src/acme/retry-policy.js';
import { parseConfig } from '../../src/config/load-config.js';
import { issueAll } from '../../src/daemon/issue-run.js';
import { localConfigText, startLocalStack, type LocalStack } from '../support/local-stack.js';
import { captureLog } from '../support/test-log.js';
import { randomFaults, seededRandom, startFaultProxy } from './support/fault-proxy.js';

// The documented policy, except the per-request timeout: a stall costs 1.5 s here instead of 30 s,
// so a reduced run stays short. Attempts, backoff and the Retry-After cap are the defaults.
vi.mock('../../src/acme/retry-policy.js', async (importOriginal) => {
  const original = await importOriginal<typeof RetryPolicyModule>();
  return { ...original, DEFAULT_RETRY_POLICY: { ...original.DEFAULT_RETRY_POLICY, requestTimeoutMs: 1500 } };
});

const RUNS = process.env.CHAOS_FULL ? 10 : 3;
const CERTS = 10;
const FAULT_RATE = 0.3;
const SEED = Number(process.env.CHAOS_SEED ?? Date.now() % 1_000_000);

let stack: LocalStack;
let tls: { cert: string; key: string };
const captured = captureLog();

beforeAll(async () => {
  stack = await startLocalStack(['example.test']);
  // A proxy presents pebble's own TLS certificate (127.0.0.1), so the client's ca_bundle fits both.
  const pebbleDir = path.dirname(stack.pebble.caBundlePath);
  const [cert, key] = await Promise.all([readFile(path.join(pebbleDir, 'cert.pem'), 'utf8'), readFile(path.join(pebbleDir, 'key.pem'), 'utf8')]);
  tls = { cert, key };
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

// Runs are independent (own proxy, store, account and names) and go side by side (vitest runs
// up to 5 concurrent tests at once): a reduced file stays well under a minute.
describe.concurrent(`ACME through a proxy faulting ${FAULT_RATE * 100} % of requests (seed ${SEED})`, () => {
  for (let run = 1; run <= RUNS; run++) {
    it(`run ${run}: ${CERTS} of ${CERTS} certificates issued, no request before its Retry-After`, async ({ expect }) => {
      const proxy = await startFaultProxy({
        target: new URL(stack.pebble.directoryUrl).origin,
        targetCa: stack.pebble.caBundle,
        tls,
        decide: randomFaults(FAULT_RATE, seededRandom(SEED + run)),
      });
      try {
        const certs = Array.from({ length: CERTS }, (_, i) => `  - name: r${run}c${i}\n    domains: [r${run}c${i}.example.test]\n    dns: home\n`).join('');
        const store = path.join(stack.dir, `store-${run}`);
        const config = parseConfig(localConfigText({
          store, pebble: stack.pebble, pdns: stack.pdns, certs, directory: `${proxy.url}/dir`,
        }), 'chaos.yaml');
        const started = performance.now();
        const out = await issueAll(config, captured.log, { concurrency: CERTS }, AbortSignal.timeout(240_000));
        const ms = Math.round(performance.now() - started);
        const { forwarded, ...faults } = proxy.counts;
        // Measured, for the report: how hard this run was hit and what it cost.
        console.log(`chaos acme run ${run} (seed ${SEED + run}): ${ms} ms, forwarded ${forwarded}, faults ${JSON.stringify(faults)}`);
        expect(out.map((o) => `${o.name} ${o.result} ${o.result === 'issued' ? '' : o.detail}`).sort())
          .toEqual(out.map((o) => `${o.name} issued `).sort());
        expect(out).toHaveLength(CERTS);
        expect(Object.values(faults).reduce((n, v) => n + v, 0)).toBeGreaterThan(0);
        for (const o of out) {
          const leaf = new X509Certificate(await readFile(path.join(store, 'live', o.name, 'cert.pem')));
          expect(leaf.subjectAltName).toBe(`DNS:${o.name}.example.test`);
        }
        expect(proxy.early).toEqual([]);
      } finally {
        await proxy.stop();
      }
    }, 300_000);
  }
});
