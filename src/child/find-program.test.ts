import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findProgram } from './find-program.js';

let dir: string;
const signal = () => AbortSignal.timeout(10_000);

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'certfleet-find-'));
  for (const d of ['a', 'b', 'cwd']) await mkdir(path.join(dir, d));
  await writeFile(path.join(dir, 'a', 'tool'), '#!/bin/sh\n', { mode: 0o644 });
  await writeFile(path.join(dir, 'b', 'tool'), '#!/bin/sh\n', { mode: 0o755 });
  await writeFile(path.join(dir, 'cwd', 'local'), '#!/bin/sh\n', { mode: 0o755 });
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('findProgram (as spawn looks a program up)', () => {
  it('takes the first executable match in PATH, skipping a non-executable one before it', async () => {
    expect(await findProgram('tool', { path: `${dir}/a:${dir}/b`, cwd: dir }, signal())).toEqual({ found: path.join(dir, 'b', 'tool') });
  });

  it('says when the only match is not executable, or when nothing matches', async () => {
    expect(await findProgram('tool', { path: `${dir}/a`, cwd: dir }, signal())).toEqual({ problem: `"tool" found as ${dir}/a/tool, which is not executable` });
    expect(await findProgram('tool', { path: `${dir}/cwd`, cwd: dir }, signal())).toEqual({ problem: `"tool" is not in the PATH the program gets (${dir}/cwd)` });
  });

  it('an empty PATH entry is the cwd; a name with a slash is relative to the cwd; no PATH means /usr/bin:/bin', async () => {
    expect(await findProgram('local', { path: `${dir}/a:`, cwd: `${dir}/cwd` }, signal())).toEqual({ found: path.join(dir, 'cwd', 'local') });
    expect(await findProgram('./local', { path: '', cwd: `${dir}/cwd` }, signal())).toEqual({ found: path.join(dir, 'cwd', 'local') });
    expect(await findProgram('env', { path: undefined, cwd: dir }, signal())).toEqual({ found: '/usr/bin/env' });
  });

  it('a directory is not a program', async () => {
    await chmod(path.join(dir, 'a'), 0o755);
    expect(await findProgram(`${dir}/a`, { path: undefined, cwd: dir }, signal())).toEqual({ problem: `"${dir}/a" is not a regular file` });
  });
});
