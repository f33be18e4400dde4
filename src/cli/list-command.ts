import { X509Certificate } from 'node:crypto';
import { parseDuration } from '../config/duration.js';
import { isoTime } from '../iso-time.js';
import { certificateName } from '../config/schema.js';
import { BULK_STATUSES_FROM, readStatuses } from '../scheduler/certificate-status.js';
import type { CertificatePaths } from '../store/certificate-store.js';
import type { DeployState } from '../store/renewal-state.js';
import { foreignLive } from '../store/preflight-save.js';
import { withManaged } from '../daemon/managed-certificates.js';
import type { CertificateStore, LocalCertificateDirectory, StoredSchedule } from '../store/certificate-store.js';
import { storesFor, type ConfiguredStores } from '../store/store-for-config.js';
import { configFor, logFor, parseCommand, UsageError } from './cli-options.js';
import { CHECK_WITHIN_MS, checkProblems, foreignNote, formatLocal, globPattern, isUtcIso, passesFilters, type ListFacts, type ListFilters } from './list-check.js';

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
  // The store of record (the directory, or PostgreSQL); paths are this host's live/. Opened as
  // soon as the config's other sections are read, and a big store's bulk read started, so that
  // opening it (two directory listings at the directory store) overlaps parsing the entries.
  let early: { stores: ConfiguredStores; schedules?: AsyncIterable<readonly StoredSchedule[]> } | undefined;
  const fileConfig = await configFor(values, (sections, entries) => {
    const stores = storesFor(sections);
    early = { stores, ...(entries >= BULK_STATUSES_FROM ? { schedules: startedNow(stores.store.schedules(signal)) } : {}) };
  });
  if (!fileConfig) {
    await early?.stores.close();
    return 2;
  }
  const { store, local, managed, close } = early?.stores ?? storesFor(fileConfig);
  const now = Date.now();
  // The certificates added through the API too, as the daemon schedules them (the file wins a name both have).
  const { config, conflicts } = await withManaged(fileConfig, managed, logFor(values, fileConfig), signal);
  for (const name of conflicts) process.stderr.write(`certfleet: note: ${name} is in the config file and was also added through the API; the file's spec is used\n`);
  const bulk = early?.schedules;
  const statuses = await readStatuses(config, bulk ? { readMeta: (n, s) => store.readMeta(n, s), readState: (n, s) => store.readState(n, s), schedules: () => bulk } : store, now, signal);
  // The table straight from the statuses: at 100,000 rows a Row per certificate, and the regular
  // expressions that took its ISO times back to local minutes, were a third of `list`'s time.
  const table = !values.json && !values.check && !values.long ? new TableText(TABLE_HEADER) : undefined;
  const rows: Row[] = [];
  for (let i = 0; i < statuses.length; i++) {
    const status = statuses[i]!;
    const spec = config.certificates[i]!;
    // A live/<name> certfleet did not write (a certbot lineage not adopted) explains an empty row.
    const facts: ListFacts = { status, foreign: status.stored ? undefined : await foreignLive(config.store.path, certificateName(spec)) };
    if (!passesFilters(facts, filters, now)) continue;
    if (table) {
      table.add(tableCells(facts, spec.domains, spec.key_type));
      continue;
    }
    const row = toRow(facts, spec.domains, spec.key_type);
    if (values.check) row.problems = checkProblems(facts, now, withinMs);
    rows.push(row);
  }
  // The PEMs, LONG_READS certificates at a time (four files each).
  for (let i = 0; values.long && i < rows.length; i += LONG_READS) {
    await Promise.all(rows.slice(i, i + LONG_READS).map(async (row) => { row.long = await longFacts(store, local, row.name, signal); }));
  }
  await close();
  const failing = rows.some((r) => (r.problems?.length ?? 0) > 0);
  if (table) process.stdout.write(table.text());
  else if (values.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
  else if (values.check) for (const r of rows) process.stdout.write(`${r.problems!.length ? 'FAIL' : 'ok  '}  ${r.name}: ${r.problems!.length ? r.problems!.join('; ') : okLine(r)}\n`);
  else process.stdout.write(rows.map(longBlock).join('\n'));
  return values.check && failing ? 1 : 0;
}

/**
 * `iterable` with its first step taken now: what its iterator does before its first page (open
 * the store's index, send the query) runs while the caller does other work. Iterated once.
 */
function startedNow<T>(iterable: AsyncIterable<T>): AsyncIterable<T> {
  const it = iterable[Symbol.asyncIterator]();
  let first: Promise<IteratorResult<T>> | undefined = it.next();
  // Its failure is the consumer's (readStatuses'), or nobody's when the config fails to parse.
  first.catch(() => undefined);
  return {
    [Symbol.asyncIterator]: () => ({
      next: () => {
        const step = first ?? it.next();
        first = undefined;
        return step;
      },
      return: async (value?: unknown) => (await it.return?.(value)) ?? { done: true, value: undefined },
    }),
  };
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

/** `ok`, or the failed actions and when a required one is retried. */
function deploySummary(d: DeployState | null): string {
  if (!d) return 'none';
  const failed = d.actions.filter((a) => a.result === 'failed');
  if (failed.length === 0) return `ok ${formatLocal(d.actions[0]!.at)}`;
  const retry = d.nextAttempt ? `, retry ${formatLocal(d.nextAttempt)}` : '';
  return `failed ${formatLocal(failed[0]!.at)}: ${failed.map((a) => a.describe).join(', ')}${retry}`;
}

const LONG_READS = 64;

const TABLE_HEADER = ['NAME', 'DOMAINS', 'KEY', 'NOT AFTER', 'DAYS', 'NEXT RENEWAL', 'LAST RESULT', 'DEPLOY'];

/** A table's row: what cells() and the Row give, built from the facts without the Row. */
function tableCells({ status: s, foreign }: ListFacts, domains: string[], keyType: string): string[] {
  const notAfter = s.stored?.notAfter;
  const next = foreign && !notAfter ? '-' : s.decision.due ? 'now' : formatLocal(s.dueAt);
  const last = foreign ? foreignNote(foreign)
    : s.last ? `${s.last.result} ${s.last.at ? localTimes(s.last.at) : ''}${s.last.error ? `: ${localTimes(s.last.error)}` : ''}`
    : s.stored ? `issued ${localTimes(s.stored.issuedAt)}` : 'none';
  return [s.name, domains.length === 1 ? domains[0]! : domains.join(','), keyType, notAfter ? formatLocal(notAfter) : '-', s.stored ? String(s.stored.daysLeft) : '-', next, last, deploySummary(s.deploy ?? null)];
}

/** Every ISO time in `text` in local minutes (a text that is one such time, the common case, without a regular expression replace). */
function localTimes(text: string): string {
  return isUtcIso(text) ? formatLocal(text) : text.replace(ISO_IN_TEXT, (iso) => formatLocal(iso));
}
const ISO_IN_TEXT = /\d{4}-\d\d-\d\dT[\d:.]+Z/g;

/** Rows padded to their columns' widths, two spaces apart; one string at the end (a write per row cost more than reading the store). */
class TableText {
  private readonly cells: string[] = [];
  private readonly widths: number[];

  constructor(private readonly header: string[]) {
    this.widths = header.map((h) => h.length);
    this.cells.push(...header);
  }

  add(row: string[]): void {
    for (let i = 0; i < row.length; i++) {
      const cell = row[i]!;
      if (cell.length > this.widths[i]!) this.widths[i] = cell.length;
      this.cells.push(cell);
    }
  }

  text(): string {
    const columns = this.header.length;
    const lines: string[] = [];
    for (let at = 0; at < this.cells.length; at += columns) {
      let line = '';
      for (let i = 0; i < columns - 1; i++) line += `${this.cells[at + i]!.padEnd(this.widths[i]!)}  `;
      lines.push(`${line}${this.cells[at + columns - 1]!}`.trimEnd());
    }
    return `${lines.join('\n')}\n`;
  }
}

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
