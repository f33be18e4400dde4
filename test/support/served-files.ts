import { readFile, realpath } from 'node:fs/promises';
import path from 'node:path';

/**
 * What a server reading `root`'s `live/<name>` serves: it resolves the link once and reads both
 * files inside what it points to. undefined when there is no live/<name>.
 */
export async function servedFiles(root: string, name: string): Promise<{ cert: string; privkey: string } | undefined> {
  let dir: string;
  try {
    dir = await realpath(path.join(root, 'live', name));
  } catch {
    return undefined;
  }
  const [cert, privkey] = await Promise.all([readFile(path.join(dir, 'cert.pem'), 'utf8'), readFile(path.join(dir, 'privkey.pem'), 'utf8')]);
  return { cert, privkey };
}
