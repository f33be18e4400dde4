import { X509Certificate } from 'node:crypto';
import { statSync } from 'node:fs';
import { parseDuration } from '../config/duration.js';
import { isoTime } from '../iso-time.js';
import { BULK_STATUSES_FROM, type StatusSource } from '../scheduler/certificate-status.js';
import type { CertificatePaths } from '../store/certificate-store.js';
import type { DeployState } from '../store/renewal-state.js';
import { withManaged } from '../daemon/managed-certificates.js';
import { foreignLive } from '../store/preflight-save.js';
import type { CertificateStore, LocalCertificateDirectory } from '../store/certificate-store.js';
import { FileStore } from '../store/file-store.js';
import { storesFor, type ConfiguredStores } from '../store/store-for-config.js';
import { IncrementalConfigParser } from '../config/incremental-config.js';
import { loadedConfigFor, logFor, parseCommand, UsageError } from './cli-options.js';
import { CHECK_WITHIN_MS, checkProblems, foreignNote, formatLocal, globPattern, type ListFacts, type ListFilters } from './list-check.js';
import { StdoutWriter } from './stdout-writer.js';
import { LIST_WORKER_FILE_BYTES, LIST_WORKER_FROM, ListWorker } from './list-worker-table.js';
import { deploySummary, earlyBulkRead, localTimes, TABLE_HEADER, TableText, tableCells, visitListFacts } from './list-table.js';

/** What `--long` adds, read from the stored PEM (not the metadata: the file is what servers use). */
interface LongFacts { serial: string; issuer: string; validFrom: string; validUntil: string; paths: CertificatePaths }

interface Row {
  name: string;
  domains: string[];
  keyType: string;
  /** ISO (JSON); the table shows local minutes. */
  notAfter: string | null;
  daysLeft: number | null;
  nextRenewal: string;
  why: string;
  lastResult: string;
  deploy: DeployState | null;
  foreign?: string;
  long?: LongFacts | null;
  problems?: string[];
}

export async function runList(args: string[]): Promise<number> {
  const values = parseCommand(args, {
    json: { type: 'boolean' }, long: { type: 'boolean' }, check: { type: 'boolean' }, within: { type: 'string' },
    failing: { type: 'boolean' }, expiring: { type: 'string' }, name: { type: 'string' },
  });
  const withinMs = values.within === undefined ? CHECK_WITHIN_MS : parseDuration(values.within);
  if (withinMs === undefined) throw new UsageError(`--within ${JSON.stringify(values.within)}: expected a duration like 14d or 72h`);
  if (values.within !== undefined && !values.check) throw new UsageError('--within goes with --check');
  const filters: ListFilters = { failing: values.failing, name: values.name === undefined ? undefined : globPattern(values.name) };
  if (values.name === '') throw new UsageError('--name "": expected a name or a glob like "shop-*"');
  if (values.expiring !== undefined) {
    filters.expiringWithinMs = parseDuration(values.expiring);
    if (filters.expiringWithinMs === undefined) throw new UsageError(`--expiring ${JSON.stringify(values.expiring)}: expected a duration like 30d or 72h`);
  }
  // `list` reads a few local files: there is nothing to cancel but the process itself.
  const signal = new AbortController().signal;
  const tableMode = !values.json && !values.check && !values.long;
  // The store of record (the directory, or PostgreSQL); paths are this host's live/. Opened as
  // soon as the config's other sections are read, and a big store's bulk read started, so that
  // opening it (two directory listings at the directory store) overlaps parsing the entries. A big
  // table of the directory store is made with a worker thread, started then (ListWorker).
  let early: { stores: ConfiguredStores; source?: StatusSource; worker?: ListWorker; now?: number } | undefined;
  // A config file big enough for the worker path has its worker spawned before it is read.
  const spawned = tableMode && typeof values.config === 'string' && (statSync(values.config, { throwIfNoEntry: false })?.size ?? 0) >= LIST_WORKER_FILE_BYTES ? new ListWorker() : undefined;
  let mayForce = true;
  const fileConfig = (await loadedConfigFor(values, new IncrementalConfigParser(), {
    // No spec has force_renew when no text has the key (env substitution gives values only).
    beforeParse: (text) => { mayForce = text.includes('force_renew'); },
    onSections: (sections, entries) => {
      const stores = storesFor(sections);
      early = { stores };
      if (spawned && entries >= LIST_WORKER_FROM && stores.store instanceof FileStore) {
        const now = Date.now();
        // The index's open (its two listings first) starts now too.
        stores.store.indexReadable().catch(() => undefined);
        spawned.start({ indexFile: stores.store.indexFile, now, directory: sections.acme.directory, filters, forceRenew: mayForce });
        Object.assign(early, { now, worker: spawned });
      } else if (entries >= BULK_STATUSES_FROM) early.source = earlyBulkRead(stores.store, signal);
    },
  }))?.config;
  if (spawned && early?.worker !== spawned) void spawned.stop();
  if (!fileConfig) {
    await early?.worker?.stop();
    await early?.stores.close();
    return 2;
  }
  const { store, local, managed, close } = early?.stores ?? storesFor(fileConfig);
  const source = early?.source ?? store;
  const now = early?.now ?? Date.now();
  // The certificates added through the API too, as the daemon schedules them (the file wins a name both have).
  const { config, conflicts } = await withManaged(fileConfig, managed, logFor(values, fileConfig), signal);
  for (const name of conflicts) process.stderr.write(`certfleet: note: ${name} is in the config file and was also added through the API; the file's spec is used\n`);
  const specs = config.certificates;
  if (tableMode) {
    let table = early?.worker && store instanceof FileStore ? await early.worker.table(config, store, signal) : undefined;
    if (!table) {
      table = new TableText(TABLE_HEADER, specs.length);
      const t = table;
      await visitListFacts(config, source, now, filters, signal, (i, facts) => t.set(i, tableCells(facts, specs[i]!.domains, specs[i]!.key_type)));
    }
    await close();
    writeOut(table.chunks());
    return 0;
  }
  const slots = new Array<Row | undefined>(specs.length);
  await visitListFacts(config, source, now, filters, signal, (i, facts) => {
    const row = toRow(facts, specs[i]!.domains, specs[i]!.key_type);
    if (values.check) row.problems = checkProblems(facts, now, withinMs);
    slots[i] = row;
  });
  const rows = slots.filter((r) => r !== undefined);
  // The PEMs, LONG_READS certificates at a time (four files each).
  for (let i = 0; values.long && i < rows.length; i += LONG_READS) {
    await Promise.all(rows.slice(i, i + LONG_READS).map(async (row) => {
      // A stored certificate whose live/<name> was replaced (by hand, by another tool) has no PEMs
      // to read there: the row says whose it is, as it does for one with nothing stored.
      const foreign = row.foreign ?? await foreignLive(config.store.path, row.name);
      if (foreign) Object.assign(row, { foreign, why: foreignNote(foreign), long: null });
      else row.long = await longFacts(store, local, row.name, signal);
    }));
  }
  await close();
  const failing = rows.some((r) => (r.problems?.length ?? 0) > 0);
  if (values.json) writeOut([`${JSON.stringify(rows, null, 2)}\n`]);
  else if (values.check) writeOut(rows.map((r) => `${r.problems!.length ? 'FAIL' : 'ok  '}  ${r.name}: ${r.problems!.length ? r.problems!.join('; ') : okLine(r)}\n`));
  else writeOut([rows.map(longBlock).join('\n')]);
  return values.check && failing ? 1 : 0;
}

/** `texts` to stdout, in order, until the reader goes (`list | head`). */
function writeOut(texts: Iterable<string>): void {
  const out = new StdoutWriter();
  for (const text of texts) if (!out.write(text)) break;
  out.close();
}

function toRow({ status: s, foreign }: ListFacts, domains: string[], keyType: string): Row {
  const row: Row = {
    name: s.name, domains, keyType,
    notAfter: s.stored?.notAfter ?? null,
    daysLeft: s.stored?.daysLeft ?? null,
    nextRenewal: s.decision.due ? 'now' : isoTime(s.dueAt),
    why: s.decision.reason,
    lastResult: s.last ? `${s.last.result} ${s.last.at ?? ''}${s.last.error ? `: ${s.last.error}` : ''}` : s.stored ? `issued ${s.stored.issuedAt}` : 'none',
    deploy: s.deploy ?? null,
  };
  if (foreign) {
    row.foreign = foreign;
    row.why = foreignNote(foreign);
    if (!s.last) row.lastResult = row.why;
  }
  return row;
}

async function longFacts(store: CertificateStore, local: LocalCertificateDirectory, name: string, signal: AbortSignal): Promise<LongFacts | null> {
  const stored = await store.load(name, signal);
  if (!stored) return null;
  const leaf = new X509Certificate(stored.pem.cert);
  return {
    serial: leaf.serialNumber, issuer: leaf.issuer.replace(/\n/g, ', '),
    validFrom: new Date(leaf.validFrom).toISOString(), validUntil: new Date(leaf.validTo).toISOString(), paths: local.paths(name),
  };
}

/** The table's cells: local minutes instead of ISO strings with milliseconds. */
function cells(r: Row): { next: string; last: string; deploy: string } {
  const local = (iso: string) => (/^\d{4}-\d\d-\d\dT/.test(iso) ? formatLocal(iso) : iso);
  const next = r.foreign && r.notAfter === null ? '-' : local(r.nextRenewal);
  // A foreign live/<name> is why every attempt fails: the short note says it and what to do.
  const last = r.foreign ? r.why : localTimes(r.lastResult);
  return { next, last, deploy: deploySummary(r.deploy) };
}

const LONG_READS = 64;

function longBlock(r: Row): string {
  const c = cells(r);
  const lines: [string, string][] = [['domains', r.domains.join(', ')], ['key', r.keyType]];
  if (r.long) {
    const days = r.daysLeft === null ? '' : ` (${r.daysLeft} days)`;
    lines.push(['serial', r.long.serial], ['issuer', r.long.issuer], ['valid from', formatLocal(r.long.validFrom)], ['valid until', `${formatLocal(r.long.validUntil)}${days}`]);
    for (const f of ['cert', 'chain', 'fullchain', 'privkey'] as const) lines.push([f, r.long.paths[f]]);
  } else {
    lines.push(['certificate', r.foreign ? r.why : 'none stored']);
  }
  lines.push(['next renewal', `${c.next}${r.foreign ? '' : ` (${r.why.replace(/ at \d{4}-\d\d-\d\dT[\d:.]+Z$/, '')})`}`], ['last result', c.last], ['deploy', c.deploy]);
  for (const a of r.deploy?.actions ?? []) lines.push([`  ${a.kind}`, `${a.describe}: ${a.result} ${formatLocal(a.at)}${a.error ? ` (${a.error})` : ''}${a.required ? ', required' : ''}`]);
  const width = Math.max(...lines.map(([k]) => k.length));
  return `${r.name}\n${lines.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join('\n')}\n`;
}

function okLine(r: Row): string {
  return r.daysLeft === null ? 'ok' : `valid ${r.daysLeft} more days (until ${formatLocal(r.notAfter!)})`;
}
