import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { registerOutput } from './secret-scan.js';

/** The checkout's CLI (the bundle behind bin/certfleet). */
export const CERTFLEET_BIN = path.resolve(import.meta.dirname, '../../bin/certfleet');

export interface CertfleetRun { code: number; stdout: string; stderr: string }

/**
 * Runs `bin/certfleet ARGS` to its end and hands back exit code and output; the output goes to
 * the secret scan. `timeoutMs` kills it (SIGKILL): for a command that must end by itself.
 */
export async function runCertfleet(args: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CertfleetRun> {
  try {
    const { stdout, stderr } = await promisify(execFile)(CERTFLEET_BIN, args, {
      env: { ...process.env, ...opts.env }, maxBuffer: 64 * 1024 * 1024,
      ...(opts.timeoutMs ? { timeout: opts.timeoutMs, killSignal: 'SIGKILL' as const } : {}),
    });
    registerOutput([stdout, stderr]);
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number | string; stdout?: string; stderr?: string };
    registerOutput([e.stdout ?? '', e.stderr ?? '']);
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}
