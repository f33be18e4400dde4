// Where an idle daemon's memory goes: `bin/certfleet run` with MEM_PROBE_N certificates (default
// 1,000) seeded in a directory store, idle MEM_PROBE_IDLE_S seconds (default 10) after every one
// is planned, then RSS (private and file-backed), V8's heap in use, and, with MEM_PROBE_SNAPSHOT=1,
// a heap snapshot (SIGUSR2) summed by constructor and by V8 node type: the rows behind
// docs/architecture.md's memory budget. MEM_PROBE_KEEP=1 keeps the snapshot file.
// MEM_PROBE_SMAPS=1 sums /proc/<pid>/smaps by mapping; MEM_PROBE_NODE_FLAGS="--flag ..." runs
// node with bin/certfleet's flags and these; MEM_PROBE_HOLD_S keeps the daemon that long at the end.
//   node scripts/mem-probe.mjs            MEM_PROBE_N=100000 MEM_PROBE_SNAPSHOT=1 node scripts/mem-probe.mjs
import { execFileSync, spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { localConfigText } from '../build/test/support/local-stack.js';
import { seedLayout, startBench, stopBench } from './seed-store.mjs';

const N = Number(process.env.MEM_PROBE_N ?? 1000);
const IDLE_S = Number(process.env.MEM_PROBE_IDLE_S ?? 10);
const SNAPSHOT = process.env.MEM_PROBE_SNAPSHOT === '1';
const root = path.resolve(import.meta.dirname, '..');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const mb = (bytes) => (bytes / 2 ** 20).toFixed(1);

/** The self sizes of a .heapsnapshot's nodes, by constructor (objects) and by node type. */
export function summarizeSnapshot(snapshot) {
  const { meta } = snapshot.snapshot;
  const fields = meta.node_fields;
  const width = fields.length;
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
  const types = meta.node_types[0];
  const byType = new Map();
  const byName = new Map();
  const add = (map, key, size) => { const e = map.get(key) ?? { count: 0, bytes: 0 }; e.count++; e.bytes += size; map.set(key, e); };
  const nodes = snapshot.nodes;
  let total = 0;
  for (let i = 0; i < nodes.length; i += width) {
    const type = types[nodes[i + typeAt]];
    const size = nodes[i + sizeAt];
    total += size;
    add(byType, type, size);
    // Objects by constructor; the rest (strings, arrays, code) by type with their V8 name.
    const name = snapshot.strings[nodes[i + nameAt]];
    add(byName, type === 'object' || type === 'closure' ? `${type} ${name}` : type === 'array' || type === 'hidden' ? `${type} ${name.slice(0, 40)}` : type, size);
  }
  const top = (map, n) => [...map].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, n);
  return { total, byType: top(byType, 20), byName: top(byName, 40) };
}

/** /proc/<pid>/smaps summed by mapping (file, or [heap], [anon]...), largest Rss first. */
export function smapsSummary(text) {
  const sums = new Map();
  let name = '';
  for (const line of text.split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) { name = head[1] || '[anon]'; continue; }
    const m = /^(Rss|Anonymous):\s+(\d+) kB/.exec(line);
    if (m) { const e = sums.get(name) ?? { Rss: 0, Anonymous: 0 }; e[m[1]] += Number(m[2]); sums.set(name, e); }
  }
  return [...sums].sort((a, b) => b[1].Rss - a[1].Rss).slice(0, 12)
    .map(([k, v]) => `  ${(v.Rss / 1024).toFixed(1).padStart(7)} MB (anonymous ${(v.Anonymous / 1024).toFixed(1)} MB) ${k}`).join('\n');
}

/**
 * Objects (and arrays, numbers, strings made of others) grouped by constructor and property names:
 * `object Object {spec,digest}`. Those with at least `min` members are the per-certificate ones.
 */
export function snapshotShapes(snapshot, min) {
  const { meta } = snapshot.snapshot;
  const nf = meta.node_fields; const ef = meta.edge_fields;
  const [ti, ni, si, eci] = ['type', 'name', 'self_size', 'edge_count'].map((f) => nf.indexOf(f));
  const [eti, eni] = ['type', 'name_or_index'].map((f) => ef.indexOf(f));
  const types = meta.node_types[0]; const edgeTypes = meta.edge_types[0];
  const { nodes, edges, strings } = snapshot;
  const shapes = new Map();
  let e = 0;
  for (let i = 0; i < nodes.length; i += nf.length) {
    const count = nodes[i + eci];
    const type = types[nodes[i + ti]];
    if (['object', 'array', 'concatenated string', 'sliced string', 'number'].includes(type)) {
      const names = [];
      for (let k = 0; k < count && names.length < 9; k++) {
        if (edgeTypes[edges[e + k * ef.length + eti]] === 'property') names.push(strings[edges[e + k * ef.length + eni]]);
      }
      const key = `${type} ${strings[nodes[i + ni]].slice(0, 30)} {${names.filter((n) => n !== '__proto__').join(',')}}`;
      const v = shapes.get(key) ?? { count: 0, bytes: 0 };
      v.count++; v.bytes += nodes[i + si];
      shapes.set(key, v);
    }
    e += count * ef.length;
  }
  return [...shapes].filter(([, v]) => v.count >= min).sort((a, b) => b[1].bytes - a[1].bytes).slice(0, 25);
}

async function main() {
  const { pdns, pebble, work, storeDir, configFile } = await startBench('mem-probe');
  let daemon;
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${work}/k`, '-out', `${work}/c`, '-days', '90', '-subj', '/CN=seed.bench.test'], { stdio: 'ignore' });
    const [certPem, keyPem] = await Promise.all([readFile(`${work}/c`, 'utf8'), readFile(`${work}/k`, 'utf8')]);
    // Whole seconds, as X.509 has them.
    const notBefore = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();
    const notAfter = new Date(Date.parse(notBefore) + 90 * 86_400_000).toISOString();
    const ariNext = (i) => new Date(Date.now() + (6 + (6 * i) / N) * 3_600_000).toISOString();
    seedLayout(storeDir, Array.from({ length: N }, (_, i) => (
      { name: `c${i}`, domains: [`c${i}.bench.test`], keyType: 'ecdsa-p256', notBefore, notAfter, issuer: 'CN=seed', serial: String(i), account: '', orderUrl: '', issuedAt: notBefore, directory: pebble.directoryUrl }
    )), { cert: certPem, chain: '', fullchain: certPem, privkey: keyPem }, (name) => ({ ari: { serial: name.slice(1), nextCheck: ariNext(Number(name.slice(1))) } }));
    const certs = Array.from({ length: N }, (_, i) => `  - name: c${i}\n    domains: [c${i}.bench.test]\n    dns: home\n`).join('');
    await writeFile(configFile, localConfigText({ store: storeDir, pebble, pdns, certs, extraTop: 'server:\n  listen: 127.0.0.1:0\n' }));

    // NODE_OPTIONS, so bin/certfleet's own flags (its semi-space size) are the ones measured.
    // A preload that prints V8's heap spaces on SIGWINCH: what is committed beside what is used.
    const spaces = `import v8 from 'node:v8'; process.on('SIGWINCH', () => process.stderr.write('HEAPSPACES' + JSON.stringify(v8.getHeapSpaceStatistics()) + '\\n'));`;
    const env = { ...process.env, NODE_OPTIONS: `--import=data:text/javascript,${encodeURIComponent(spaces)}${SNAPSHOT ? ' --heapsnapshot-signal=SIGUSR2' : ''}` };
    // MEM_PROBE_NODE_FLAGS: node itself with bin/certfleet's flags and these (V8 flags NODE_OPTIONS refuses).
    const extra = process.env.MEM_PROBE_NODE_FLAGS?.split(' ').filter(Boolean);
    daemon = extra
      ? spawn(process.execPath, ['--max-semi-space-size=2', ...extra, path.join(root, 'dist/bundle/entry.js'), 'run', '--config', configFile, '--log-format', 'json'], { cwd: work, env: { MALLOC_ARENA_MAX: '2', ...env }, stdio: ['ignore', 'ignore', 'pipe'] })
      : spawn(path.join(root, 'bin/certfleet'), ['run', '--config', configFile, '--log-format', 'json'], { cwd: work, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    daemon.stderr.on('data', (b) => { log += b.toString(); });
    let base;
    for (;;) {
      base ??= /"address":"(http:[^"]+)"/.exec(log)?.[1];
      if (base && (await fetch(`${base}/metrics`).then((r) => r.text(), () => '')).match(/^certfleet_certificate_next_renewal_seconds\{/gm)?.length >= N) break;
      if (daemon.exitCode !== null) throw new Error(`daemon exited:\n${log}`);
      await sleep(N > 10_000 ? 250 : 50);
    }
    await sleep(IDLE_S * 1000);
    const status = await readFile(`/proc/${daemon.pid}/status`, 'utf8');
    const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    const heap = Number(/^certfleet_process_heap_used_bytes (\S+)$/m.exec(await (await fetch(`${base}/metrics`)).text())?.[1]);
    daemon.kill('SIGWINCH');
    for (let t = 0; t < 100 && !log.includes('HEAPSPACES'); t++) await sleep(20);
    const heapSpaces = JSON.parse(/HEAPSPACES(.*)/.exec(log)?.[1] ?? '[]');
    const committed = heapSpaces.reduce((sum, sp) => sum + sp.physical_space_size, 0);
    console.log(`V8 heap spaces: ${heapSpaces.map((sp) => `${sp.space_name.replace(/_space$/, '')} ${mb(sp.space_used_size)}/${mb(sp.physical_space_size)}`).join(', ')} MB used/resident; ${mb(committed)} MB resident in all`);
    console.log(`idle ${IDLE_S} s with ${N} certificates: RSS ${mb(kb('VmRSS'))} MB (private ${mb(kb('RssAnon'))} MB, file-backed ${mb(kb('RssFile'))} MB), V8 heap in use ${mb(heap)} MB, ${(heap / N).toFixed(0)} B heap per certificate`);
    if (process.env.MEM_PROBE_SMAPS === '1') console.log(`resident by mapping:\n${smapsSummary(await readFile(`/proc/${daemon.pid}/smaps`, 'utf8'))}`);
    if (SNAPSHOT) {
      const before = new Set(await readdir(work));
      daemon.kill('SIGUSR2');
      let file;
      for (let t = 0; !file && t < 1200; t++) {
        await sleep(250);
        file = (await readdir(work)).find((f) => f.endsWith('.heapsnapshot') && !before.has(f));
      }
      if (!file) throw new Error('no heap snapshot written');
      // Written when the size stops changing and the JSON is closed.
      const snapshotFile = path.join(work, file);
      for (let last = -1; ;) {
        await sleep(2000);
        const { size } = statSync(snapshotFile);
        if (size === last && (await readFile(snapshotFile, 'latin1')).trimEnd().endsWith('}')) break;
        last = size;
      }
      const snapshot = JSON.parse(await readFile(snapshotFile, 'utf8'));
      const summary = summarizeSnapshot(snapshot);
      console.log(`heap snapshot: ${mb(summary.total)} MB of live objects`);
      console.log('by node type:');
      for (const [k, v] of summary.byType) console.log(`  ${k.padEnd(20)} ${mb(v.bytes).padStart(8)} MB  ${String(v.count).padStart(9)} nodes  ${(v.bytes / N).toFixed(0).padStart(6)} B/cert`);
      console.log('by constructor or name:');
      for (const [k, v] of summary.byName) console.log(`  ${k.slice(0, 60).padEnd(60)} ${mb(v.bytes).padStart(8)} MB  ${String(v.count).padStart(9)}  ${(v.bytes / N).toFixed(0).padStart(6)} B/cert`);
      console.log(`shapes with at least ${Math.floor(N / 2)} members (the per-certificate ones):`);
      for (const [k, v] of snapshotShapes(snapshot, Math.floor(N / 2))) console.log(`  ${k.slice(0, 90).padEnd(90)} ${String(v.count).padStart(9)}  ${(v.bytes / v.count).toFixed(0).padStart(5)} B each`);
      if (process.env.MEM_PROBE_KEEP === '1') { const kept = path.join(os.tmpdir(), `mem-probe-${N}.heapsnapshot`); await import('node:fs/promises').then((fs) => fs.copyFile(path.join(work, file), kept)); console.log(`kept ${kept}`); }
    }
    // Time to look at the process from outside (its smaps, pagemap, gdb...).
    if (process.env.MEM_PROBE_HOLD_S) { console.log(`daemon pid ${daemon.pid}`); await sleep(Number(process.env.MEM_PROBE_HOLD_S) * 1000); }
  } finally {
    await stopBench({ daemon, pebble, pdns, work });
  }
}

if (import.meta.main ?? process.argv[1] === import.meta.filename) await main();
