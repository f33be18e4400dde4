import nodeFs, { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

type Op = 'open' | 'mkdir' | 'symlink' | 'rename' | 'writeFile' | 'sync';

/**
 * Fails the n-th mutating file operation under `root` (open, mkdir, symlink, rename, and the
 * writeFile and sync of a handle opened there) with ENOSPC, as a full disk does, then lets the
 * others pass. Patches node:fs's promises object and its default export's synchronous calls in
 * place: code that calls through them sees the fault.
 */
export async function failNthWrite(root: string, n: number, code = 'ENOSPC'): Promise<{ calls(): { op: Op; path: string }[]; hit(): boolean; restore(): void }> {
  const probe = await fs.open(path.join(tmpdir(), `.fs-fault-probe-${process.pid}`), 'w');
  const handleProto = Object.getPrototypeOf(probe) as Record<'writeFile' | 'sync', (...args: unknown[]) => Promise<unknown>>;
  await probe.close();
  await fs.rm(path.join(tmpdir(), `.fs-fault-probe-${process.pid}`), { force: true });
  const calls: { op: Op; path: string }[] = [];
  const restores: (() => void)[] = [];
  const count = (op: Op, where: string) => {
    if (!where.startsWith(root)) return;
    calls.push({ op, path: where });
    if (calls.length === n) throw Object.assign(new Error(`${code}: no space left on device, ${op === 'writeFile' ? 'write' : op}`), { code, errno: -28, syscall: op });
  };
  const opened = new WeakMap<object, string>();
  const fsTable = fs as unknown as Record<Op, (...args: unknown[]) => Promise<unknown>>;
  for (const op of ['open', 'mkdir', 'symlink', 'rename'] as const) {
    const original = fsTable[op];
    fsTable[op] = async function (this: unknown, ...args: unknown[]) {
      const where = String(op === 'symlink' || op === 'rename' ? args[1] : args[0]);
      count(op, where);
      const result = await original.apply(this, args);
      if (op === 'open') opened.set(result as object, where);
      return result;
    };
    restores.push(() => { fsTable[op] = original; });
  }
  // The synchronous calls the store makes through node:fs's default export, and the fsync(2) it
  // runs on a descriptor (src/store/sync-directory.ts): the same operations, counted alike.
  const fds = new Map<number, string>();
  const syncTable = nodeFs as unknown as Record<string, (...args: unknown[]) => unknown>;
  const syncOps: [string, Op, (args: unknown[]) => string][] = [
    ['openSync', 'open', (a) => String(a[0])], ['mkdirSync', 'mkdir', (a) => String(a[0])],
    ['symlinkSync', 'symlink', (a) => String(a[1])], ['renameSync', 'rename', (a) => String(a[1])],
    ['writeFileSync', 'writeFile', (a) => (typeof a[0] === 'number' ? fds.get(a[0]) ?? '' : String(a[0]))],
    ['fsync', 'sync', (a) => fds.get(a[0] as number) ?? ''],
  ];
  for (const [name, op, where] of syncOps) {
    const original = syncTable[name]!;
    syncTable[name] = function (this: unknown, ...args: unknown[]) {
      count(op, where(args));
      const result = original.apply(this, args);
      if (name === 'openSync') fds.set(result as number, String(args[0]));
      return result;
    };
    restores.push(() => { syncTable[name] = original; });
  }
  for (const op of ['writeFile', 'sync'] as const) {
    const original = handleProto[op];
    handleProto[op] = async function (this: object, ...args: unknown[]) {
      count(op, opened.get(this) ?? '');
      return original.apply(this, args);
    };
    restores.push(() => { handleProto[op] = original; });
  }
  return {
    calls: () => calls,
    hit: () => calls.length >= n,
    restore: () => { for (const r of restores.reverse()) r(); },
  };
}
