import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileStore } from '../../src/store/file-store.js';
import { localConfigText, startLocalStack, type LocalStack } from '../support/local-stack.js';
import { CertfleetRun, issue } from './support/certfleet-run.js';
import { liveProblems } from './support/live-check.js';
import { findDebris } from './support/store-debris-finder.js';
import { zoneTxt } from './support/zone-txt.js';

/** SIGKILLs at random points of `certfleet issue` (first issuance and forced renewal). */
const KILLS = process.env.CHAOS_FULL ? 100 : 20;

let stack: LocalStack;
let root: string;
let configFile: string;

/** `web` (an apex and its wildcard: two values at one TXT name) and, for first issuances, `fresh`. */
async function writeConfig(fresh?: string): Promise<void> {
  const certs = `  - name: web\n    domains: [web.example.test, "*.web.example.test"]\n    dns: home\n${fresh ? `  - name: ${fresh}\n    domains: [${fresh}.example.test, "*.${fresh}.example.test"]\n    dns: home\n` : ''}`;
  await writeFile(configFile, localConfigText({ store: root, pebble: stack.pebble, pdns: stack.pdns, certs }));
}

beforeAll(async () => {
  stack = await startLocalStack(['example.test']);
  root = path.join(stack.dir, 'store');
  configFile = path.join(stack.dir, 'certfleet.yaml');
});
afterAll(() => stack?.stop());

describe(`SIGKILL during issue and renew (${KILLS} kills)`, () => {
  it('leaves no torn pair, no partial file, no orphaned TXT value; the next run recovers within 5 s', async () => {
    await writeConfig();
    const first = await issue(configFile);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    // Kill points spread over a whole run, from process start to its end.
    const span = first.ms * 1.1;
    const recoveries: number[] = [];
    const debris: string[] = [];
    let finishedBeforeKill = 0;
    let leftoversRemoved = 0;
    for (let i = 0; i < KILLS; i++) {
      const renew = i % 2 === 0;
      const name = renew ? 'web' : `fresh${i}`;
      await writeConfig(renew ? undefined : name);
      const args = ['issue', '--config', configFile, '--log-format', 'json', '--cert', name, ...(renew ? ['--force'] : [])];
      const run = new CertfleetRun(args);
      await sleep(Math.random() * span);
      run.kill('SIGKILL');
      const killed = await run.result(60_000);
      if (killed.signal !== 'SIGKILL') finishedBeforeKill++;

      const t0 = performance.now();
      const next = await issue(configFile, ['--cert', name, '--force']);
      const ms = performance.now() - t0;
      recoveries.push(ms);
      if (next.stderr.includes('"txt_leftovers_removed"')) leftoversRemoved++;
      const where = `kill ${i} (${renew ? 'renew' : 'first issuance'} of ${name}), next run rc ${next.code} ${next.signal ?? ''} in ${Math.round(ms)} ms: ${next.stdout}${next.stderr.split('\n').filter((l) => l.includes('"error"')).join('\n')}`;
      expect(next.code, where).toBe(0);
      expect(next.stdout, where).toMatch(new RegExp(`^${name}: (issued|renewed) `));
      expect(ms, where).toBeLessThan(5000);
      expect(await liveProblems(root), where).toEqual([]);
      expect(await zoneTxt(stack.pdns, 'example.test'), where).toEqual([]);
      expect((await new FileStore({ root }).readState(name, AbortSignal.timeout(10_000))).state.pendingTxt, where).toBeUndefined();
      debris.push(...(await findDebris(root)).map((d) => `kill ${i}: ${d}`));
    }
    expect(debris).toEqual([]);
    recoveries.sort((a, b) => a - b);
    console.log(`kill-during-renewal: ${KILLS} kills (${finishedBeforeKill} runs had finished, ${leftoversRemoved} left TXT values the next run removed), recovery median ${Math.round(recoveries[KILLS >> 1]!)} ms, max ${Math.round(recoveries.at(-1)!)} ms; debris seen after a recovery: ${debris.length}`);
  }, 600_000);
});
