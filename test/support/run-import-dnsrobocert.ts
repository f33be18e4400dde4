import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { registerOutput } from './secret-scan.js';

const bin = path.resolve(import.meta.dirname, '../../bin/certfleet');
export const DNSROBOCERT_FIXTURES = path.resolve(import.meta.dirname, '../fixtures/dnsrobocert');

export interface Run { code: number; stdout: string; stderr: string }

/** bin/certfleet with these arguments and this environment added; never throws on a non-zero exit. */
export async function certfleet(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  try {
    const { stdout, stderr } = await promisify(execFile)(bin, args, { env: { ...process.env, ...env } });
    registerOutput([stdout, stderr]);
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as Run;
    registerOutput([e.stdout, e.stderr]);
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** `import dnsrobocert FILE`, its output written to OUT unchanged, then `check-config --config OUT`. */
export async function importThenCheck(file: string, out: string, env: NodeJS.ProcessEnv = {}): Promise<{ imported: Run; checked: Run }> {
  const imported = await certfleet(['import', 'dnsrobocert', file]);
  if (imported.code !== 0) return { imported, checked: imported };
  await writeFile(out, imported.stdout);
  return { imported, checked: await certfleet(['check-config', '--config', out], env) };
}
