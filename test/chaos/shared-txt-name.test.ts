import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localConfigText, startLocalStack, type LocalStack } from '../support/local-stack.js';
import { CertfleetRun } from './support/certfleet-run.js';
import { zoneTxt } from './support/zone-txt.js';

/** Rounds of two processes renewing at once, on one store, certificates that share a TXT name. */
const ROUNDS = process.env.CHAOS_FULL ? 20 : 5;

let stack: LocalStack;
const configs: Record<'apex' | 'wild', string> = { apex: '', wild: '' };

beforeAll(async () => {
  stack = await startLocalStack(['example.test']);
  const store = path.join(stack.dir, 'store');
  // example.test and *.example.test both answer at _acme-challenge.example.test.
  for (const [name, domain] of [['apex', 'example.test'], ['wild', '"*.example.test"']] as const) {
    configs[name] = path.join(stack.dir, `${name}.yaml`);
    await writeFile(configs[name], localConfigText({ store, pebble: stack.pebble, pdns: stack.pdns, certs: `  - name: ${name}\n    domains: [${domain}]\n    dns: home\n` }));
  }
});
afterAll(() => stack?.stop());

describe(`two processes, one store, a shared TXT name (${ROUNDS} rounds)`, () => {
  it('every renewal of both succeeds and no value is left', async () => {
    const failures: string[] = [];
    const ms: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const runs = (['apex', 'wild'] as const).map((name) => new CertfleetRun(['issue', '--config', configs[name], '--log-format', 'json', '--force']));
      const results = await Promise.all(runs.map((r) => r.result(60_000)));
      for (const r of results) {
        ms.push(r.ms);
        if (r.code !== 0) failures.push(`round ${round}: rc ${r.code} ${r.signal ?? ''}: ${r.stdout}`);
      }
      expect(await zoneTxt(stack.pdns, 'example.test'), `round ${round}`).toEqual([]);
    }
    ms.sort((a, b) => a - b);
    console.log(`shared-txt-name: ${ROUNDS} rounds, ${failures.length} failures, run median ${Math.round(ms[ms.length >> 1]!)} ms, max ${Math.round(ms.at(-1)!)} ms`);
    expect(failures).toEqual([]);
  }, 600_000);
});
