// make bench (durability part): the cost of each durability step of a save, one at a time, on
// the filesystem of the system temp directory (the store's, on this machine): wall time (mostly
// the fsync waiting for the disk) and this process's CPU, median of ROUNDS. Issue 21: later work
// on the per-certificate CPU must see what each fsync and the lock cost, and keep them.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeNewFile, writeFileAtomic, syncDir, writeVersion, finishSwitch } from '../dist/store/certbot-layout.js';
import { Fence } from '../dist/store/fencing-token.js';
import { acquireLinkedLock, acquireLock } from '../dist/store/lock-file.js';
import { benchDate, machine, percentile, writeBenchSection } from './bench-report.mjs';
import { removeTree } from '../build/test/support/remove-tree.js';

const ROUNDS = Number(process.env.BENCH_DURABILITY_ROUNDS ?? 100);
const work = await fs.mkdtemp(path.join(os.tmpdir(), 'certfleet-durability-'));
const pem = (n) => `-----BEGIN CERTIFICATE-----\n${'A'.repeat(64)}\n`.repeat(n) + '-----END CERTIFICATE-----\n';
const signal = new AbortController().signal;

async function measure(label, step) {
  const wall = [];
  const cpu = [];
  for (let i = 0; i < ROUNDS; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await step(i);
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  const r = { label, wall: percentile(wall, 50), p95: percentile(wall, 95), cpu: cpu.reduce((a, b) => a + b, 0) / ROUNDS };
  console.log(`${label}: p50 ${r.wall.toFixed(2)} ms, p95 ${r.p95.toFixed(2)} ms, CPU ${r.cpu.toFixed(3)} ms`);
  return r;
}

let rows;
const held = await acquireLock(path.join(work, 'locks', 'held.lock'), { staleMs: 60_000, heartbeatMs: 20_000 }, signal);
try {
  await fs.mkdir(path.join(work, 'files'));
  await fs.mkdir(path.join(work, 'state'));
  rows = [
    await measure('one new file written and fsynced (a PEM of a version, 2 KB)', (i) => writeNewFile(path.join(work, 'files', `f${i}`), pem(30), 0o644)),
    await measure('one directory fsync', () => syncDir(path.join(work, 'files'))),
    await measure('state file replaced: temp file + fsync, rename, directory fsync', () => writeFileAtomic(path.join(work, 'state', 'state.json'), JSON.stringify({ round: Math.random() }), 0o600)),
    await measure('a version written: 4 PEM files fsynced, links, 3 directory fsyncs, the live/ rename', (i) => writeVersion(work, 'c', i + 1, { cert: pem(20), chain: pem(20), fullchain: pem(40), privkey: pem(3) }, {}, signal)),
    await measure('after the switch: live/ fsynced, old versions pruned', (i) => finishSwitch(work, 'c', i + 1)),
    await measure('fencing token bumped: fence opened, token rewritten in place + fsync, closed', async () => {
      const fence = await Fence.open(path.join(work, 'fences', 'c'));
      await fence.bump();
      await fence.close();
    }),
    await measure('lock acquired and released (symlink lock; the right to remove it a hard link)', async () => {
      const lease = await acquireLock(path.join(work, 'locks', 'c.lock'), { staleMs: 60_000, heartbeatMs: 20_000 }, signal);
      await lease[Symbol.asyncDispose]();
    }),
    await measure('state lock under a held lease taken and released (a hard link of the lease\'s lock)', async () => {
      const linked = await acquireLinkedLock(path.join(work, 'locks', '_state.c.lock'), held, { staleMs: 60_000, heartbeatMs: 20_000 }, signal);
      await linked[Symbol.asyncDispose]();
    }),
  ];
} finally {
  await held[Symbol.asyncDispose]();
  await removeTree(work);
}

await writeBenchSection('durability-bench', `## Durability steps (\`make bench\`)

${benchDate()} — ${machine()}. Each step of a save alone, ${ROUNDS} rounds, on the system temp directory's filesystem (${os.tmpdir()}); wall is mostly the fsync waiting for the disk, CPU is this process's (user + system, libuv's threads included), mean per step. A certificate's save is one version write, the switch's finish and the metadata's rename; each state write is one state file replaced under the state lock; each grant of a lock is one lock and one fencing-token bump (scripts/bench-durability.mjs; the steps together: scripts/bench-store-ops.mjs, below).

| step | wall p50 ms | wall p95 ms | CPU ms |
| --- | --- | --- | --- |
${rows.map((r) => `| ${r.label} | ${r.wall.toFixed(2)} | ${r.p95.toFixed(2)} | ${r.cpu.toFixed(3)} |`).join('\n')}`);
