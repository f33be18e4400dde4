import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * renameat2(RENAME_EXCHANGE) through glibc, run by the system Python (certbot's own runtime,
 * so a host with a certbot store has it): Node has no binding for it, and no other call swaps
 * a directory and a symlink in one step.
 */
const EXCHANGE = `import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
r = libc.renameat2(-100, os.fsencode(sys.argv[1]), -100, os.fsencode(sys.argv[2]), 2)
if r != 0:
    e = ctypes.get_errno()
    sys.stderr.write(os.strerror(e) + "\\n")
    sys.exit(3 if e in (22, 38, 95) else 1)
`;

/**
 * Swaps the names `a` and `b` atomically (both must exist): every path resolution sees one or
 * the other, and a kill leaves one or the other. 'unsupported' when this host cannot (no
 * python3, a file system or kernel without RENAME_EXCHANGE): the caller falls back.
 */
export async function exchangePaths(a: string, b: string, signal: AbortSignal): Promise<'exchanged' | 'unsupported'> {
  // The system Python first: a python3 earlier in PATH may be a version manager's shim that takes a second to start.
  for (const python of ['/usr/bin/python3', 'python3']) {
    try {
      await run(python, ['-c', EXCHANGE, a, b], { signal, timeout: 30_000 });
      return 'exchanged';
    } catch (err) {
      // execFile's error: `code` is the errno name when python3 cannot be started, else the exit status.
      const e = err as { code?: string | number; stderr?: string; message: string };
      if (e.code === 'ENOENT') continue;
      if (e.code === 3) return 'unsupported';
      throw new Error(`cannot exchange ${a} and ${b}: ${e.stderr?.trim() || e.message}`, { cause: err });
    }
  }
  return 'unsupported';
}
