import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { KeyType } from '../../acme/keys.js';
import { CertfleetError, errorMessage } from '../../errors.js';
import { issuerKey } from '../../issuer/acme-account.js';
import type { CertificateMeta } from '../../store/certificate-store.js';
import { FileStore } from '../../store/file-store.js';
import { adoptLineage } from './adopt-lineage.js';
import { adoptAccount, readCertbotAccount, type CertbotAccount } from './certbot-account.js';
import { renderConfig, type ConfigCertificate } from './certbot-config.js';
import { confKeyType, lineageMeta } from './lineage-meta.js';
import { mapAuthenticator, type MappedProvider } from './map-authenticator.js';
import { mapHooks } from './map-hooks.js';
import { readArchive, readCertbotStore, type CertbotLineage } from './read-certbot-store.js';

/** certbot's default --server. */
const LETSENCRYPT = 'https://acme-v02.api.letsencrypt.org/directory';

export interface ImportOptions {
  dryRun: boolean;
  /** certbot's REQUESTS_CA_BUNDLE, when it was given one (a private CA). */
  caBundle?: string | undefined;
}

export interface ImportResult {
  /** The certfleet config (YAML) for the store. */
  config: string;
  /** What was changed (or, with dryRun, would be), one line each. */
  changes: string[];
  /** Lineages left as they are, with why: the command fails when there is any. */
  problems: string[];
}

interface Planned {
  lineage: CertbotLineage;
  meta: CertificateMeta;
  server: string;
  account: CertbotAccount | undefined;
  provider: MappedProvider;
  cert: Omit<ConfigCertificate, 'dns'>;
}

const CERTFLEET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * `certfleet import certbot DIR`: adopts the certbot store at `dir` in place (each lineage's
 * live/ switched atomically to certfleet's layout, its archive versions kept as certfleet's,
 * certbot's account adopted), and returns the equivalent config. Nothing is ordered from any CA.
 * With dryRun, it reads only.
 */
export async function importCertbot(dir: string, opts: ImportOptions, signal: AbortSignal): Promise<ImportResult> {
  const store = await readCertbotStore(dir, signal);
  const { root } = store;
  const problems: string[] = [];
  const planned: Planned[] = [];
  for (const lineage of store.lineages) {
    try {
      planned.push(await plan(root, lineage, signal));
    } catch (err) {
      problems.push(`${lineage.name}: ${errorMessage(err)}; left as it is`);
    }
  }
  const directory = mostCommon(planned.map((p) => p.server)) ?? LETSENCRYPT;
  const directoryComments = [`certbot's --server, from renewal/<name>.conf${planned.length > 1 ? ' of every lineage' : ''}`];
  const providers = new Map<string, MappedProvider>();
  const certificates: ConfigCertificate[] = [];
  for (const p of planned) {
    const id = providerId(providers, p.provider);
    const comments = [...p.cert.comments];
    if (p.server !== directory) comments.push(`certbot renewed this one at ${p.server}; with acme.directory above, the next run reissues it there (one acme: per config)`);
    certificates.push({ ...p.cert, dns: id, comments });
  }
  const changes: string[] = [];
  const would = opts.dryRun ? 'would ' : '';
  const fileStore = new FileStore({ root });
  // What a killed earlier import (or certfleet run) left: temp files of dead writers and the like.
  // The sweep leaves certbot's lineages alone (foreign live/<name>), so it is safe before the switch.
  if (!opts.dryRun) await fileStore.sweep(signal);
  for (const [server, account] of new Map(planned.filter((p) => p.account).map((p) => [p.server, p.account!]))) {
    const key = issuerKey(server);
    const existing = await fileStore.readAccount(key, signal);
    if (existing && existing.url !== account.url) {
      changes.push(`accounts/${key}/: certfleet's own account for ${server} is kept; certbot's ${account.url} is not adopted`);
      continue;
    }
    if (existing) continue;
    if (!opts.dryRun) await adoptAccount(fileStore, key, account, signal);
    changes.push(`accounts/${key}/: ${would}adopt certbot's account ${account.id} (${account.url}), so renewals use the same ACME account`);
  }
  for (const p of planned) {
    const { name } = p.lineage;
    const done = p.lineage.live.kind === 'certfleet' && p.lineage.confAdopted;
    if (done) continue;
    if (!opts.dryRun) {
      await using _lease = await fileStore.lock(name, signal);
      await adoptLineage(root, p.lineage, p.meta, signal);
    }
    changes.push(p.lineage.live.kind === 'certbot'
      ? `live/${name}: ${would}switch certbot's directory to certfleet's link to live/.versions/${name}/${p.meta.version} (archive version ${p.meta.version}, same files, nothing reissued)`
      : `live/${name}: ${would}complete the adoption an interrupted import began (version ${p.meta.version})`);
    changes.push(`renewal/${name}.json: ${would}write certfleet's metadata (${p.meta.domains.join(', ')}, ${p.meta.keyType}, until ${p.meta.notAfter})`);
    changes.push(`renewal/${name}.conf: ${would}rename to ${name}.conf.certfleet, so certbot no longer renews it`);
  }
  for (const provider of providers.values()) {
    for (const s of provider.secrets) {
      if (!opts.dryRun) await writeSecret(s.file, s.value, signal);
      changes.push(`${path.relative(root, s.file)}: ${would}write the secret from certbot's credentials (0600)`);
    }
  }
  const config = renderConfig({ root, directory, directoryComments, caBundle: opts.caBundle, providers, certificates, notes: problems.map((p) => `not imported: ${p}`) });
  return { config, changes, problems };
}

async function plan(root: string, lineage: CertbotLineage, signal: AbortSignal): Promise<Planned> {
  const { name, conf } = lineage;
  if (!CERTFLEET_NAME.test(name) || name.includes('..')) throw new CertfleetError('CONFIG_INVALID', `the lineage name ${JSON.stringify(name)} is not a certfleet certificate name (letters, digits, ".", "_", "-")`);
  const version = lineage.live.kind === 'missing' ? await interruptedVersion(root, name, signal) : lineage.live.version;
  const server = conf.params.server ?? LETSENCRYPT;
  const found = conf.params.account ? await readCertbotAccount(root, server, conf.params.account, signal) : { problem: 'renewal conf names no account' };
  const account = 'problem' in found ? undefined : found;
  const pem = await readArchive(root, name, version, signal);
  const meta = lineageMeta(name, version, pem, { directory: server, account: account?.url ?? '' });
  const comments: string[] = [`from renewal/${name}.conf; archive version ${version} is the current certificate`];
  if ('problem' in found) comments.push(`certbot's account is not adopted (${found.problem}): certfleet makes its own at the next renewal`);
  const wanted = confKeyType(conf);
  let keyType: KeyType = meta.keyType as KeyType;
  if (!wanted.keyType) comments.push(`certbot's key type ${wanted.asked} is not one certfleet makes: key_type is the current key's`);
  else if (wanted.keyType !== meta.keyType) {
    keyType = wanted.keyType;
    comments.push(`renewal conf asks for ${wanted.asked} but the current key is ${meta.keyType}: the next run reissues with ${wanted.keyType}`);
  } else comments.push(`key_type from the renewal conf (${wanted.asked})`);
  const before = conf.top.renew_before_expiry;
  if (before) comments.push(`renew_before_expiry (${before}) is not mapped: certfleet renews with a third of the lifetime left, or when the CA's ARI window says`);
  const { hooks, notes } = await mapHooks(root, conf, signal);
  comments.push(...notes);
  const provider = await mapAuthenticator(root, conf, signal);
  return {
    lineage, meta, server, account, provider,
    cert: { name, domains: meta.domains, keyType, reuseKey: conf.params.reuse_key === 'True', hooks, comments },
  };
}

/** The version an import killed between its two renames (live/<name> absent) had switched to. */
async function interruptedVersion(root: string, name: string, signal: AbortSignal): Promise<number> {
  signal.throwIfAborted();
  const dirs = await fs.readdir(path.join(root, 'live', '.versions', name)).catch(() => [] as string[]);
  const versions = dirs.filter((d) => /^\d+$/.test(d)).map(Number);
  if (versions.length === 0) throw new CertfleetError('STORE_IO', `live/${name} is missing and no interrupted import left a version of it`);
  return Math.max(...versions);
}

/**
 * One provider per distinct mapping; ids made unique (`cloudflare`, `cloudflare-2`). The comments
 * count too: every TODO placeholder has the same lines, and each must keep its own reason.
 */
function providerId(providers: Map<string, MappedProvider>, p: MappedProvider): string {
  const same = (q: MappedProvider) => JSON.stringify([q.lines, q.comments]) === JSON.stringify([p.lines, p.comments]);
  for (const [id, q] of providers) if (same(q)) return id;
  let id = p.id;
  for (let i = 2; providers.has(id); i++) id = `${p.id}-${i}`;
  providers.set(id, p);
  return id;
}

function mostCommon(values: string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
}

/** A secret copied from certbot's INI: 0600 in a 0700 directory, written atomically. */
async function writeSecret(file: string, value: string, signal: AbortSignal): Promise<void> {
  signal.throwIfAborted();
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await fs.writeFile(tmp, `${value}\n`, { mode: 0o600, flag: 'wx', signal });
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw new CertfleetError('STORE_IO', `cannot write ${file}: ${errorMessage(err)}`, { cause: err });
  }
}
