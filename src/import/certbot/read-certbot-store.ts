import { promises as fs } from 'node:fs';
import path from 'node:path';
import { CertfleetError, errorMessage } from '../../errors.js';
import { PEM_FILES, type PemFile } from '../../store/certificate-store.js';
import { parseRenewalConf, type RenewalConf } from './renewal-conf.js';

/** Where `renewal/<name>.conf` goes once certfleet manages the lineage: certbot's timer skips it. */
export const ADOPTED_CONF_SUFFIX = '.conf.certfleet';

/** What `live/<name>` is now. */
export type LiveShape =
  /** certbot's directory of links to archive version `version`. */
  | { kind: 'certbot'; version: number }
  /** certfleet's link (an earlier import, maybe interrupted after its switch). */
  | { kind: 'certfleet'; version: number }
  /** Absent: an import that was killed between the two renames of the fallback switch. */
  | { kind: 'missing' };

export interface CertbotLineage {
  name: string;
  conf: RenewalConf;
  confPath: string;
  /** Whether the conf was already renamed by an earlier import. */
  confAdopted: boolean;
  live: LiveShape;
}

export interface CertbotStore {
  root: string;
  lineages: CertbotLineage[];
}

/** Usage problems with DIR: the command exits 2 with this message. */
export class NotCertbotStoreError extends CertfleetError {
  constructor(dir: string, why: string) {
    super('CONFIG_INVALID', `${dir} is not a certbot store (like /etc/letsencrypt): ${why}`);
  }
}

/**
 * The lineages of the certbot store at `dir`: each `renewal/<name>.conf` (or an adopted
 * `<name>.conf.certfleet`) with what `live/<name>` is. Reads only.
 */
export async function readCertbotStore(dir: string, signal: AbortSignal): Promise<CertbotStore> {
  signal.throwIfAborted();
  const root = path.resolve(dir);
  const st = await fs.stat(root).catch(() => undefined);
  if (!st?.isDirectory()) throw new NotCertbotStoreError(dir, 'no such directory');
  const renewal = await fs.readdir(path.join(root, 'renewal')).catch(() => undefined);
  const hasArchive = await fs.stat(path.join(root, 'archive')).then((s) => s.isDirectory(), () => false);
  if (!renewal || !hasArchive) throw new NotCertbotStoreError(dir, `expected renewal/ and archive/ directories in it`);
  const confs = renewal.filter((f) => f.endsWith('.conf') || f.endsWith(ADOPTED_CONF_SUFFIX)).sort();
  if (confs.length === 0) throw new NotCertbotStoreError(dir, 'renewal/ holds no <name>.conf');
  const lineages: CertbotLineage[] = [];
  for (const file of confs) {
    const confAdopted = file.endsWith(ADOPTED_CONF_SUFFIX);
    const name = file.slice(0, -(confAdopted ? ADOPTED_CONF_SUFFIX : '.conf').length);
    // An adopted conf and a new certbot one of the same name: certbot made a new lineage since; the new one wins.
    if (confAdopted && confs.includes(`${name}.conf`)) continue;
    const confPath = path.join(root, 'renewal', file);
    const conf = parseRenewalConf(await readText(confPath));
    lineages.push({ name, conf, confPath, confAdopted, live: await liveShape(root, name) });
  }
  return { root, lineages };
}

/** What live/<name> is: certbot's links must all name one archive version of this lineage. */
export async function liveShape(root: string, name: string): Promise<LiveShape> {
  const live = path.join(root, 'live', name);
  const st = await fs.lstat(live).catch(() => undefined);
  if (!st) return { kind: 'missing' };
  if (st.isSymbolicLink()) {
    const m = /^\.versions\/[^/]+\/(\d+)$/.exec(await fs.readlink(live));
    if (m) return { kind: 'certfleet', version: Number(m[1]) };
    throw new CertfleetError('STORE_IO', `${live} is a link to ${await fs.readlink(live)}: neither certbot's directory nor certfleet's link`);
  }
  const versions = new Set<number>();
  for (const f of PEM_FILES) {
    const link = path.join(live, `${f}.pem`);
    const target = await fs.readlink(link).catch((err: unknown) => { throw new CertfleetError('STORE_IO', `${link} is not certbot's link: ${errorMessage(err)}`); });
    const prefix = `../../archive/${name}/${f}`;
    const m = target.startsWith(prefix) ? /^(\d+)\.pem$/.exec(target.slice(prefix.length)) : null;
    if (!m) throw new CertfleetError('STORE_IO', `${link} points to ${target}, not to ../../archive/${name}/${f}<N>.pem as certbot writes it`);
    versions.add(Number(m[1]));
  }
  if (versions.size !== 1) throw new CertfleetError('STORE_IO', `the links in ${live} name different archive versions (${[...versions].join(', ')}): run "certbot certificates" to see the lineage, fix it, and import again`);
  return { kind: 'certbot', version: [...versions][0]! };
}

/** The four PEMs of archive version `version`. */
export async function readArchive(root: string, name: string, version: number, signal: AbortSignal): Promise<Record<PemFile, string>> {
  signal.throwIfAborted();
  const pem = {} as Record<PemFile, string>;
  for (const f of PEM_FILES) pem[f] = await readText(path.join(root, 'archive', name, `${f}${version}.pem`));
  return pem;
}

async function readText(file: string): Promise<string> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (err) {
    throw new CertfleetError('STORE_IO', `cannot read ${file}: ${errorMessage(err)}`, { cause: err });
  }
}
