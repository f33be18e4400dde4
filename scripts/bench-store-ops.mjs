// make bench (store part, issue 21): the directory store's cost per certificate, step by step:
// per certificate one lock, four state writes under its lease, one save, the release (with the
// lease's one index put), and one TXT-name lock and release (no fencing token), as an issuance
// does them. BENCH_STORE_N certificates (default 100);
// BENCH_STORE_INDEX=0 runs without index.sqlite. Wall time and this process's CPU (user +
// system, libuv's threads included) per step, and CPU per certificate; written to docs/benchmarks.md.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FileStore } from '../dist/store/file-store.js';
import { benchDate, machine, writeBenchSection } from './bench-report.mjs';
import { removeTree } from '../build/test/support/remove-tree.js';

const root = mkdtempSync(path.join(tmpdir(), 'certfleet-bench-store-'));
const store = new FileStore({ root, index: process.env.BENCH_STORE_INDEX !== '0' });
const S = () => AbortSignal.timeout(10_000);
const pem = { cert: 'c', chain: 'ch', fullchain: 'f', privkey: 'k' };
const meta = (name) => ({ name, domains: [`${name}.test`], keyType: 'ecdsa-p256', notBefore: '', notAfter: '2030-01-01T00:00:00.000Z', issuer: 'ca', serial: '1', account: 'a', orderUrl: 'o', issuedAt: '' });
const N = Number(process.env.BENCH_STORE_N ?? 100);
const time = { lock: 0, state: 0, save: 0, release: 0, txt: 0 };
const cpu = { lock: 0, state: 0, save: 0, release: 0, txt: 0 };
const timed = async (step, op) => {
  const t = performance.now();
  const c = process.cpuUsage();
  const out = await op();
  const used = process.cpuUsage(c);
  cpu[step] += (used.user + used.system) / 1000;
  time[step] += performance.now() - t;
  return out;
};
const c0 = process.cpuUsage();
for (let i = 0; i < N; i++) {
  const lease = await timed('lock', () => store.lock(`c${i}`, S()));
  for (let k = 0; k < 4; k++) await timed('state', () => store.writeState(`c${i}`, { failures: k }, { lease }, S()));
  await timed('save', () => store.save({ meta: meta(`c${i}`), pem }, lease, S()));
  await timed('release', () => lease.release());
  await timed('txt', async () => (await store.lockTxtName(`_acme-challenge.c${i}.test`, S())).release());
}
const c = process.cpuUsage(c0);
const ms = (v) => v.toFixed(2);
const per = (step, n = N) => `${ms(time[step] / n)} ms (CPU ${ms(cpu[step] / n)} ms)`;
console.log(`store ops per step, wall (CPU): lock ${per('lock')}, writeState ${per('state', N * 4)}, save ${per('save')}, release ${per('release')}, TXT lock+release ${per('txt')}`);
console.log(`store ops (${N} certificates${process.env.BENCH_STORE_INDEX === '0' ? ', no index' : ''}): lock ${ms(time.lock / N)} ms, writeState ${ms(time.state / N / 4)} ms, save ${ms(time.save / N)} ms, release ${ms(time.release / N)} ms, TXT lock+release ${ms(time.txt / N)} ms; CPU per certificate ${ms((c.user + c.system) / 1000 / N)} ms (system ${ms(c.system / 1000 / N)})`);
await removeTree(root);
const row = (label, step, n = N) => `| ${label} | ${ms(time[step] / n)} | ${ms(cpu[step] / n)} |`;
if (process.env.BENCH_STORE_INDEX !== '0') {
  await writeBenchSection('store-ops-bench', `## The store's steps per certificate (\`make bench\`)

${benchDate()} — ${machine()}. ${N} certificates issued for the first time into one FileStore on ${tmpdir()} (scripts/bench-store-ops.mjs): mean per step; CPU is this process's (user + system).

| step | wall ms | CPU ms |
| --- | --- | --- |
${row('lock (grant: lock symlink, fencing token)', 'lock')}
${row('state write under the lease (of 4)', 'state', N * 4)}
${row('save (a new version, live/ switch, metadata)', 'save')}
${row('release (with the lease\'s one index put)', 'release')}
${row('TXT-name lock and release (no fencing token)', 'txt')}

CPU per certificate (the steps above, with 4 state writes): ${ms((c.user + c.system) / 1000 / N)} ms, of it system ${ms(c.system / 1000 / N)} ms.`);
}
