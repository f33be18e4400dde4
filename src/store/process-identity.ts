import { createHash } from 'node:crypto';
import { readFileSync, readlinkSync, promises as fs } from 'node:fs';
import { hostname } from 'node:os';

/**
 * Who wrote a lock or a temp file, precisely enough to tell later whether that process still
 * runs: a PID alone is not enough (PIDs are reused), so the kernel's start time of the process
 * goes with it, and the "host" is the PID namespace on one boot of one machine, because only
 * there does a PID mean the same process.
 */
export interface ProcessIdentity {
  pid: number;
  /** /proc/<pid>/stat field 22 (clock ticks after boot); 0 where /proc is not available. */
  start: number;
  /** 12 hex digits: hostname, boot id and PID namespace. */
  host: string;
}

let self: ProcessIdentity | undefined;

/** This process (read once from procfs, which is memory, not disk). */
export function currentProcess(): ProcessIdentity {
  self ??= {
    pid: process.pid,
    start: startTimeSync('self') ?? 0,
    host: createHash('sha256').update(`${hostname()}\n${readOr('/proc/sys/kernel/random/boot_id')}\n${linkOr('/proc/self/ns/pid')}`).digest('hex').slice(0, 12),
  };
  return self;
}

/** `<pid>-<start>-<host>`: fits file names and lock owners. */
export function formatIdentity(id: ProcessIdentity): string {
  return `${id.pid}-${id.start}-${id.host}`;
}

export function parseIdentity(text: string): ProcessIdentity | undefined {
  const m = /^(\d{1,10})-(\d{1,20})-([0-9a-f]{12})$/.exec(text);
  return m ? { pid: Number(m[1]), start: Number(m[2]), host: m[3]! } : undefined;
}

/**
 * 'dead' only when that is certain: same host, and the PID is gone or belongs to a process that
 * started at another time. A process on another host (or in another container) is 'unknown'.
 */
export async function processState(id: ProcessIdentity, signal: AbortSignal): Promise<'alive' | 'dead' | 'unknown'> {
  const me = currentProcess();
  if (id.host !== me.host) return 'unknown';
  if (me.start === 0) return pidExists(id.pid) ? 'alive' : 'dead'; // no /proc: PID only
  let stat: string;
  try {
    stat = await fs.readFile(`/proc/${id.pid}/stat`, { encoding: 'utf8', signal });
  } catch (err) {
    // With /proc mounted hidepid, another user's live process has no entry here either. ESRCH:
    // it exited between the open and the read (a stale lock's holder killed just then).
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ESRCH') return pidExists(id.pid) ? 'unknown' : 'dead';
    throw err;
  }
  return startTimeOf(stat) === id.start ? 'alive' : 'dead';
}

/** Field 22 of /proc/<pid>/stat; the command name (field 2) may hold spaces and parentheses. */
export function startTimeOf(stat: string): number | undefined {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const start = Number(fields[22 - 3]);
  return Number.isSafeInteger(start) ? start : undefined;
}

function startTimeSync(pid: string): number | undefined {
  const stat = readOr(`/proc/${pid}/stat`);
  return stat ? startTimeOf(stat) : undefined;
}

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOr(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return '';
  }
}

function linkOr(file: string): string {
  try {
    return readlinkSync(file);
  } catch {
    return '';
  }
}
