import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { staticImports } from '../../test/support/static-imports.js';

const src = path.resolve(import.meta.dirname, '..');

describe('what `certfleet run` loads at start', () => {
  it('does not load pg (or the PostgreSQL store) unless store.type is postgres', () => {
    const { files, packages } = staticImports(path.join(src, 'cli/run-command.ts'));
    // The chain is in the message: the import to make lazy.
    expect(packages.get('pg') ?? 'not loaded').toBe('not loaded');
    const postgres = [...files].filter(([f]) => f.includes(`${path.sep}postgres${path.sep}`)).map(([, chain]) => chain.join(' -> '));
    expect(postgres).toEqual([]);
  });

  it('does not import node:http as an ES module (its namespace loads undici, 2.3 MB of heap)', () => {
    const { builtins } = staticImports(path.join(src, 'cli/run-command.ts'));
    expect(builtins.get('node:http')?.join(' -> ') ?? 'not imported').toBe('not imported');
    expect(builtins.has('node:fs')).toBe(true); // the walk does see built-ins
  });

  it('follows the static imports it is meant to (the check above can fail)', () => {
    const { files, packages } = staticImports(path.join(src, 'store/postgres/open-pg-store.ts'));
    expect(packages.has('pg')).toBe(true);
    expect([...files.keys()].some((f) => f.endsWith('pg-connection.ts'))).toBe(true);
  });

  it('skips what the compiler erases or the bundle splits off', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'static-imports-'));
    writeFileSync(path.join(dir, 'a.ts'), "import type pg from 'pg';\nimport { b } from './b.js';\n// import x from 'commented';\nexport async function f() { return import('yaml'); }\n");
    writeFileSync(path.join(dir, 'b.ts'), "export { z } from 'zod';\nexport const b = 1;\n");
    const { files, packages } = staticImports(path.join(dir, 'a.ts'));
    expect([...packages.keys()]).toEqual(['zod']);
    expect(packages.get('zod')).toEqual(['a.ts', 'b.ts']);
    expect(files.size).toBe(2);
  });
});
