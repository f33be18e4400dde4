import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * What loading `entry` (a .ts file under src/) loads before any of its code runs: the modules
 * reached through static `import`/`export ... from` (type-only ones are erased by the compiler;
 * `import()` is where the bundle splits, so it is not followed). Each reached package (by its bare
 * name), built-in module (`node:...`) and file comes with the chain that reaches it, for a message that says which import to make lazy.
 */
export function staticImports(entry: string): { files: Map<string, string[]>; packages: Map<string, string[]>; builtins: Map<string, string[]> } {
  const files = new Map<string, string[]>();
  const packages = new Map<string, string[]>();
  const builtins = new Map<string, string[]>();
  const visit = (file: string, chain: string[]) => {
    if (files.has(file)) return;
    const here = [...chain, path.basename(file)];
    files.set(file, here);
    const text = readFileSync(file, 'utf8');
    // Statements at the start of a line (after comments are gone) whose clause is not `type`.
    const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
    for (const m of code.matchAll(/^(?:import|export)\s+(?!type\b)([^;'"]*?from\s+)?['"]([^'"]+)['"]/gm)) {
      const spec = m[2]!;
      if (spec.startsWith('node:')) {
        if (!builtins.has(spec)) builtins.set(spec, here);
        continue;
      }
      if (spec.startsWith('.')) visit(path.resolve(path.dirname(file), spec.replace(/\.js$/, '.ts')), here);
      else {
        const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
        if (!packages.has(name)) packages.set(name, here);
      }
    }
  };
  visit(path.resolve(entry), []);
  return { files, packages, builtins };
}
