import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Daemon } from '../src/daemon/daemon.js';
import type { Clock } from '../src/scheduler/scheduler.js';
import { FileStore } from '../src/store/file-store.js';
import { selfSignedDeployConfig } from './support/self-signed-deploy-config.js';
import { captureLog, type CapturedLog } from './support/test-log.js';

let dir: string;
beforeAll(async () => { dir = await mkdtemp(path.join(tmpdir(), 'certfleet-deploy-retry-')); });
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Time 1000 times faster: the deploy backoff (1 min, 5 min, 30 min) takes 60 ms, 300 ms, 1.8 s. */
function fastClock(): Clock {
  const start = Date.now();
  return {
    now: () => start + (Date.now() - start) * 1000,
    setTimeout: (fn, ms) => setTimeout(fn, ms / 1000),
    clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
  };
}

function count(cap: CapturedLog, msg: string): number {
  return cap.records().filter((r) => r.msg === msg).length;
}

async function until(what: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  for (const started = Date.now(); !(await what()); await new Promise((r) => setTimeout(r, 20))) {
    if (Date.now() - started > ms) throw new Error('not seen in time');
  }
}

describe('the daemon retries a failed required deploy', () => {
  it('with backoff, without reissuing, until it succeeds; then it stops retrying', async () => {
    const store = path.join(dir, 'store');
    const flag = path.join(dir, 'reload-works');
    const file = path.join(dir, 'c.yaml');
    await writeFile(file, selfSignedDeployConfig({ store, flag, top: 'server: { listen: 127.0.0.1:0 }\n' }));
    const cap = captureLog();
    const d = await Daemon.start({ configFile: file, log: cap.log, redactor: cap.redactor, clock: fastClock() });
    try {
      await until(() => count(cap, 'deploy_retry') >= 2);
      expect(count(cap, 'issued')).toBe(1);
      const failing = (await new FileStore({ root: store }).readState('web', AbortSignal.timeout(5000))).state.deploy!;
      expect(failing.failures).toBeGreaterThanOrEqual(2);
      expect(failing.nextAttempt).toBeDefined();

      await writeFile(flag, '');
      await until(async () => (await new FileStore({ root: store }).readState('web', AbortSignal.timeout(5000))).state.deploy?.failures === 0);
      const retries = count(cap, 'deploy_retry');
      // Another backoff step's worth of (fast) time: no more retries, no reissue.
      await new Promise((r) => setTimeout(r, 2_500));
      expect(count(cap, 'deploy_retry')).toBe(retries);
      expect(count(cap, 'issued') + count(cap, 'renewed')).toBe(1);
    } finally {
      await d.stop();
    }
  });
});
