import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/** Every source file of the product (tests excluded). */
async function sources(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...await sources(p));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

describe('no configured string ever reaches a shell', () => {
  it('src/ has no shell: true, no sh -c, no exec/execSync', async () => {
    const offenders: string[] = [];
    // src/import/ writes `[/bin/sh, -c, …]` into the config it prints (DNSroboCert and certbot ran
    // those hooks through a shell): the user sees the shell there, and certfleet spawns none itself.
    const printsConfig = (file: string) => path.relative(import.meta.dirname, file).startsWith(`import${path.sep}`);
    // A node:sqlite database's db.exec(SQL) runs SQL, not a program (src/store/store-index.ts).
    for (const file of (await sources(import.meta.dirname)).filter((f) => !printsConfig(f))) {
      const text = await readFile(file, 'utf8');
      text.split('\n').forEach((line, i) => {
        if (/shell:\s*true|\/bin\/(ba)?sh['"]?\s*,\s*\[?\s*['"]-c|['"]sh['"]\s*,\s*\[\s*['"]-c|\bexecSync\(|(?<!\bdb\.)\bexec\(\s*[`'"]/.test(line)) offenders.push(`${path.relative(import.meta.dirname, file)}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(offenders).toEqual([]);
  });
});
