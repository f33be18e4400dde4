// What every benchmark script writes: the date, the machine, and its own section of
// docs/benchmarks.md between `<!-- NAME:start -->` and `<!-- NAME:end -->` (added at the end the first time).
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const file = path.resolve(import.meta.dirname, '..', 'docs/benchmarks.md');
const HEADER = '# Benchmarks\n\nNumbers measured by `make bench` on the machine named with each table. Timed assertions do not live in unit tests; they live here.\n';

/** The nearest-rank p-th percentile of `xs` (p in 0..100). */
export function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

/**
 * Exec to exit of one command, with the CPU it used: `times` of the shell that ran it reports
 * its children's user and system time (10 ms ticks), the command's whole process tree. Seconds.
 */
export async function timedRun(cmd, args, opts = {}) {
  const t0 = performance.now();
  const { stderr } = await promisify(execFile)('sh', ['-c', '"$@"; s=$?; times >&2; exit $s', 'sh', cmd, ...args], opts);
  const wall = (performance.now() - t0) / 1000;
  const [user, system] = stderr.trim().split('\n').pop().split(' ').map((t) => { const [, m, sec] = /^(\d+)m([\d.]+)s$/.exec(t); return Number(m) * 60 + Number(sec); });
  return { wall, cpu: user + system };
}

export function benchDate() {
  return new Date().toISOString().slice(0, 10);
}

export function machine() {
  return `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.type()} ${os.release()}, Node ${process.version}`;
}

export async function writeBenchSection(name, body) {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const section = `${start}\n${body.trim()}\n${end}`;
  const doc = await readFile(file, 'utf8').catch(() => HEADER);
  const i = doc.indexOf(start);
  const j = doc.indexOf(end);
  await writeFile(file, i >= 0 && j > i ? `${doc.slice(0, i)}${section}${doc.slice(j + end.length)}` : `${doc.trimEnd()}\n\n${section}\n`);
}

/**
 * The host's speed right now: a fixed loop of allocations and JSON.parse in a new node process,
 * ms. This VM's host is shared: the same loop took 0.69 s quiet and 1.04 s two hours later
 * (2026-12-02), and every wall time here moves with it. Printed beside the timings it explains.
 */
export async function hostSpeedMs() {
  const loop = "const t=performance.now();let x=0;const a=[];for(let i=0;i<3e6;i++){a.push({i,s:'k'+i});if(a.length>1000)a.length=0;x+=JSON.parse('{\"a\":1,\"b\":\"xyz\",\"c\":[1,2,3]}').a}console.log(performance.now()-t)";
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', loop]);
  return Math.round(Number(stdout.trim()));
}
