import { cp, lstat, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importCertbot } from '../../src/import/certbot/import-certbot.js';
import { FileStore } from '../../src/store/file-store.js';
import { makeCertbotStore } from '../support/certbot-store.js';
import { startLocalStack, type LocalStack } from '../support/local-stack.js';
import { CertfleetRun } from './support/certfleet-run.js';
import { findDebris } from './support/store-debris-finder.js';

/** SIGKILLs at points spread over `certfleet import certbot DIR`, each on a fresh copy of a real certbot store. */
const KILLS = process.env.CHAOS_FULL ? 100 : 10;
const LINEAGES = ['web', 'api'];
const PEMS = ['cert', 'chain', 'fullchain', 'privkey'];

let stack: LocalStack;
let template: string;

beforeAll(async () => {
  stack = await startLocalStack(['example.test']);
  template = path.join(stack.dir, 'template');
  await makeCertbotStore({
    dir: template, pebble: stack.pebble, pdns: stack.pdns, zone: 'example.test',
    lineages: LINEAGES.map((name) => ({ name, domains: [`${name}.example.test`], keyType: 'ecdsa' as const })),
  });
}, 120_000);
afterAll(() => stack?.stop());

/**
 * Resolves once the import in `dir` has written its first name (certfleet's account, a lock):
 * the moment after the process start, which takes most of a run and varies with the load.
 */
async function firstWrite(dir: string, accountsBefore: number, done: Promise<unknown>): Promise<void> {
  let finished = false;
  void done.then(() => { finished = true; });
  while (!finished) {
    const accounts = await readdir(path.join(dir, 'accounts')).catch(() => []);
    if (accounts.length > accountsBefore || await lstat(path.join(dir, 'locks')).then(() => true, () => false)) return;
    await sleep(1);
  }
}

/** What live/<name> is: certbot's directory or certfleet's link (anything else fails the test). */
async function layout(dir: string, name: string): Promise<'certbot' | 'certfleet' | 'neither'> {
  const st = await lstat(path.join(dir, 'live', name)).catch(() => undefined);
  if (st?.isDirectory()) return 'certbot';
  if (st?.isSymbolicLink()) return 'certfleet';
  return 'neither';
}

describe(`SIGKILL during import certbot (${KILLS} kills)`, () => {
  it('every instant shows certbot\'s layout or certfleet\'s with the same bytes; the next import completes it, without debris', async () => {
    const expected = new Map<string, string>();
    for (const n of LINEAGES) for (const f of PEMS) expected.set(`${n}/${f}`, await readFile(path.join(template, 'live', n, `${f}.pem`), 'utf8'));
    const copy = async (i: number) => {
      const dir = path.join(stack.dir, `store-${i}`);
      await cp(template, dir, { recursive: true, verbatimSymlinks: true });
      return dir;
    };
    const accountsBefore = (await readdir(path.join(template, 'accounts'))).length;
    // One whole run: the kill points are spread from its first write to its end.
    const first = await copy(-1);
    const wholeRun = new CertfleetRun(['import', 'certbot', first]);
    await firstWrite(first, accountsBefore, wholeRun.done);
    const writing = performance.now();
    const whole = await wholeRun.result(60_000);
    expect(whole.code, whole.stderr).toBe(0);
    const span = (performance.now() - writing) * 1.2;

    const states = new Map<string, number>();
    let reads = 0;
    const wrong: string[] = [];
    const dirs: string[] = [];
    try {
      for (let i = 0; i < KILLS; i++) {
        const dir = await copy(i);
        dirs.push(dir);
        // A reader that opens every live path by name, as nginx does, for as long as the import runs.
        let reading = true;
        const reader = (async () => {
          while (reading) {
            for (const [key, bytes] of expected) {
              const got = await readFile(path.join(dir, 'live', `${key}.pem`), 'utf8').catch((err: Error) => err.message);
              reads++;
              if (got !== bytes) wrong.push(`kill ${i}, ${key}: ${got.slice(0, 100)}`);
            }
          }
        })();
        const run = new CertfleetRun(['import', 'certbot', dir]);
        await firstWrite(dir, accountsBefore, run.done);
        await sleep(span * (i + 0.5) / KILLS);
        run.kill('SIGKILL');
        const killed = await run.result(30_000);
        // A python3 exchange the kill orphaned finishes in microseconds; let it, then read once more.
        await sleep(50);
        reading = false;
        await reader;
        const shapes = await Promise.all(LINEAGES.map((n) => layout(dir, n)));
        const key = `${killed.signal ? 'killed' : 'finished'}: ${shapes.join('+')}`;
        states.set(key, (states.get(key) ?? 0) + 1);
        expect(shapes, `kill ${i}`).not.toContain('neither');
        // certfleet already reads a switched lineage whole (its metadata may still be pending).
        const store = new FileStore({ root: dir });
        for (const [n, shape] of LINEAGES.map((name, j) => [name, shapes[j]] as const)) {
          if (shape === 'certfleet') expect((await store.load(n, AbortSignal.timeout(5000)))?.pem.fullchain, `kill ${i}, ${n}`).toBe(expected.get(`${n}/fullchain`));
        }
        // The next import (in this process: a start costs a second on a loaded machine) finishes what the killed one left.
        const again = await importCertbot(dir, { dryRun: false, caBundle: process.env.REQUESTS_CA_BUNDLE }, AbortSignal.timeout(60_000));
        expect(again.problems, `kill ${i}`).toEqual([]);
        expect(again.config).toBe(whole.stdout.replaceAll(first, dir));
        for (const n of LINEAGES) expect(await layout(dir, n)).toBe('certfleet');
        for (const [k, bytes] of expected) expect(await readFile(path.join(dir, 'live', `${k}.pem`), 'utf8')).toBe(bytes);
        expect((await findDebris(dir)).filter((f) => f !== 'live/README' && !f.endsWith('.conf.certfleet')), `kill ${i}`).toEqual([]);
        await rm(dir, { recursive: true, force: true });
      }
    } finally {
      await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
    }
    console.log(`import certbot, ${KILLS} kills over the ${Math.round(span)} ms from its first write to its end: ${[...states].map(([k, v]) => `${v}× ${k}`).join(', ')}; ${reads} reads of live paths, ${wrong.length} wrong`);
    expect(wrong).toEqual([]);
  }, 300_000);
});
