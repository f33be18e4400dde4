// What every benchmark script writes: the date, the machine, and its own section of
// docs/benchmarks.md between `<!-- NAME:start -->` and `<!-- NAME:end -->` (added at the end the first time).
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const file = path.resolve(import.meta.dirname, '..', 'docs/benchmarks.md');
const HEADER = '# Benchmarks\n\nNumbers measured by `make bench` on the machine named with each table. Timed assertions do not live in unit tests; they live here.\n';

/** The nearest-rank p-th percentile of `xs` (p in 0..100). */
export function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
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
