import { lstat, readdir, readlink } from 'node:fs/promises';
import path from 'node:path';

/**
 * Everything in a store that a finished, quiet run should not leave: temp files, pending metadata,
 * lock files and removal rights, stray `live/.<name>.<hex>` links, empty (partial) archive files,
 * and archive files or version directories above the version `live/` shows. Paths relative to root.
 */
export async function findDebris(root: string): Promise<string[]> {
  const found: string[] = [];
  const live = path.join(root, 'live');
  const liveVersion = new Map<string, number>();
  for (const entry of await list(live)) {
    const st = await lstat(path.join(live, entry));
    if (entry === '.versions' && st.isDirectory()) continue;
    const m = st.isSymbolicLink() ? /^\.versions\/[^/]+\/(\d+)$/.exec(await readlink(path.join(live, entry))) : null;
    if (m && !entry.startsWith('.')) liveVersion.set(entry, Number(m[1]));
    else found.push(`live/${entry}`);
  }
  for (const name of await list(path.join(live, '.versions'))) {
    for (const v of await list(path.join(live, '.versions', name))) {
      if (!(Number(v) <= (liveVersion.get(name) ?? 0))) found.push(`live/.versions/${name}/${v}`);
    }
  }
  for (const name of await list(path.join(root, 'archive'))) {
    for (const f of await list(path.join(root, 'archive', name))) {
      const m = /^(?:cert|chain|fullchain|privkey)(\d+)\.pem$/.exec(f);
      const size = (await lstat(path.join(root, 'archive', name, f))).size;
      if (!m || Number(m[1]) > (liveVersion.get(name) ?? 0) || size === 0) found.push(`archive/${name}/${f}`);
    }
  }
  for (const f of await list(path.join(root, 'locks'))) found.push(`locks/${f}`);
  for (const dir of ['renewal', 'state']) {
    for (const f of await list(path.join(root, dir))) if (!f.endsWith('.json')) found.push(`${dir}/${f}`);
  }
  for (const id of await list(path.join(root, 'accounts'))) {
    for (const f of await list(path.join(root, 'accounts', id))) if (f.endsWith('.tmp')) found.push(`accounts/${id}/${f}`);
  }
  return found.sort();
}

async function list(dir: string): Promise<string[]> {
  return readdir(dir).catch(() => []);
}
