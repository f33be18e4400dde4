import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';

/** Whole PEM blocks and nothing else (a file cut short ends inside one). */
function completePem(text: string): boolean {
  const blocks = text.match(/-----BEGIN [A-Z ]+-----\n[^-]+-----END [A-Z ]+-----\n/g) ?? [];
  return blocks.length > 0 && blocks.join('') === text;
}

/**
 * What a reader of `live/` could see wrong: a file that is not complete PEM (partial), or a
 * certificate and key from different versions (torn pair), or a fullchain that does not start
 * with the certificate. Returns one line per problem; none is the promise of the store.
 */
export async function liveProblems(storeRoot: string): Promise<string[]> {
  const live = path.join(storeRoot, 'live');
  const names = (await readdir(live).catch(() => [] as string[])).filter((n) => !n.startsWith('.'));
  const problems: string[] = [];
  for (const name of names) {
    const dir = path.join(live, name);
    const files: Record<string, string> = {};
    for (const f of ['cert', 'chain', 'fullchain', 'privkey']) {
      try {
        files[f] = await readFile(path.join(dir, `${f}.pem`), 'utf8');
      } catch (err) {
        problems.push(`${name}/${f}.pem unreadable: ${(err as Error).message}`);
      }
    }
    for (const [f, text] of Object.entries(files)) if (!completePem(text)) problems.push(`${name}/${f}.pem is not complete PEM (${text.length} bytes)`);
    if (problems.length > 0) continue;
    try {
      if (!new X509Certificate(files.cert!).checkPrivateKey(createPrivateKey(files.privkey!))) problems.push(`${name}: torn pair (cert.pem and privkey.pem do not match)`);
    } catch (err) {
      problems.push(`${name}: cannot parse: ${(err as Error).message}`);
    }
    if (!files.fullchain!.startsWith(files.cert!)) problems.push(`${name}: fullchain.pem does not start with cert.pem`);
  }
  return problems;
}
