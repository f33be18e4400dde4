import path from 'node:path';
import { build } from 'esbuild';

/** Bundles a TypeScript script with what it imports from src/ into one ES module `node` runs as is. */
export async function bundleScript(entry: string, outDir: string): Promise<string> {
  const outfile = path.join(outDir, `${path.basename(entry, '.ts')}.mjs`);
  await build({ entryPoints: [entry], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node24', logLevel: 'silent' });
  return outfile;
}
