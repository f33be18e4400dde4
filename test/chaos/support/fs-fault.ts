import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

type Op = 'open' | 'mkdir' | 'symlink' | 'rename' | 'writeFile' | 'sync';

/**
 * Fails the n-th mutating file operation under `root` (open, mkdir, symlink, rename, and the
 * writeFile and sync of a handle opened there) with ENOSPC, as a full disk does, then lets the
 * others pass. Patches node:fs's promises object in place: code that imported it sees the fault.
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
