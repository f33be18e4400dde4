import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const script = path.resolve(import.meta.dirname, '../scripts/check-image-pins.mjs');
let dir: string;
beforeAll(async () => { dir = await mkdtemp(path.join(tmpdir(), 'certfleet-pins-')); });
afterAll(() => rm(dir, { recursive: true, force: true }));

async function check(files: Record<string, string>): Promise<{ code: number; out: string }> {
  const paths = await Promise.all(Object.entries(files).map(async ([name, text]) => {
    await writeFile(path.join(dir, name), text);
    return path.join(dir, name);
  }));
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [script, ...paths]);
    return { code: 0, out: stdout };
  } catch (err) {
    const e = err as { code: number; stderr: string };
    return { code: e.code, out: e.stderr.replaceAll(`${dir}/`, '') };
  }
}

describe('scripts/check-image-pins.mjs', () => {
  it('accepts exact tags, digests, scratch, stages and variables with pinned defaults', async () => {
    const r = await check({
      Dockerfile: 'ARG BASE_IMAGE=docker.io/library/node:24.21.0-bookworm-slim\nFROM ${BASE_IMAGE} AS build\nFROM build AS more\nFROM scratch\n',
      'compose.yaml': `services:\n  a:\n    image: nginx:1.27.3-alpine\n  b:\n    image: "registry:5000/x/y@sha256:${'a'.repeat(64)}"\n`,
    });
    expect(r).toEqual({ code: 0, out: 'image pins: 4 references, all pinned\n' });
  });

  it('names each unpinned reference with file:line', async () => {
    const r = await check({
      Dockerfile: 'ARG BASE_IMAGE=debian\nFROM ${BASE_IMAGE}\nFROM ${OTHER}\nFROM alpine:latest\n',
      'k8s.yml': '  containers:\n    - image: registry:5000/certfleet\n      name: x\n',
      'README.md': '```yaml\nimage: nginx:\n```\n',
    });
    expect(r.code).toBe(1);
    expect(r.out.trim().split('\n')).toEqual([
      'Dockerfile:1: image debian has no tag: pin an exact version tag (and a digest where it is known)',
      'Dockerfile:3: image ${OTHER} uses ${OTHER}, which has no default: pin an exact version tag (and a digest where it is known)',
      'Dockerfile:4: image alpine:latest is tagged latest: pin an exact version tag (and a digest where it is known)',
      'k8s.yml:2: image registry:5000/certfleet has no tag: pin an exact version tag (and a digest where it is known)',
      'README.md:2: image nginx: has an empty tag: pin an exact version tag (and a digest where it is known)',
    ]);
  });
});
