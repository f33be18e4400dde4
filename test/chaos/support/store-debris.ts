import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * What a killed run may leave in a store and the store promises to clean (issue 13 item 6):
 * `*.tmp` files, `live/.<name>.<hex>` links, and archive versions above the one the
 * metadata names. Paths relative to the store root.
 */
export async function storeDebris(root: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.name.endsWith('.tmp')) found.push(path.relative(root, p));
    }
  };
  await walk(root);
  for (const e of await readdir(path.join(root, 'live')).catch(() => [] as string[])) {
    if (e.startsWith('.') && e !== '.versions') found.push(`live/${e}`);
  }
  for (const name of await readdir(path.join(root, 'archive')).catch(() => [] as string[])) {
    const meta = await readFile(path.join(root, 'renewal', `${name}.json`), 'utf8').then((t) => JSON.parse(t) as { version: number }, () => ({ version: 0 }));
    for (const f of await readdir(path.join(root, 'archive', name))) {
      const n = Number(/(\d+)\.pem$/.exec(f)?.[1]);
      if (n > meta.version) found.push(`archive/${name}/${f}`);
    }
  }
  return found.sort();
}
