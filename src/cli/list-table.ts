import type { Config } from '../config/schema.js';
import { visitStatuses, type CertificateStatus, type StatusSource } from '../scheduler/certificate-status.js';
import type { DeployState } from '../store/renewal-state.js';
import { foreignLive } from '../store/preflight-save.js';
import { foreignNote, formatLocal, isUtcIso, passesFilters, type ListFacts, type ListFilters } from './list-check.js';

export const TABLE_HEADER = ['NAME', 'DOMAINS', 'KEY', 'NOT AFTER', 'DAYS', 'NEXT RENEWAL', 'LAST RESULT', 'DEPLOY'];

/**
 * What `list` shows of each certificate, through `visit` with its index in
 * `config.certificates` (in no set order), for those `filters` pass. A live/<name> certfleet did
 * not write (a certbot lineage not adopted) explains an empty row: looked at after the read, for
 * the certificates with nothing stored. Each status is dropped once visited: at 100,000
 * certificates the statuses held until the end were 67 MB the collector copied.
 */
export async function visitListFacts(config: Config, source: StatusSource, now: number, filters: ListFilters, signal: AbortSignal, visit: (index: number, facts: ListFacts) => void): Promise<void> {
  const show = (i: number, facts: ListFacts) => {
    if (passesFilters(facts, filters, now)) visit(i, facts);
  };
  const unstored: [number, CertificateStatus][] = [];
  await visitStatuses(config, source, now, signal, (i, status) => {
    if (status.stored) show(i, { status });
    else unstored.push([i, status]);
  });
  for (const [i, status] of unstored) show(i, { status, foreign: await foreignLive(config.store.path, status.name) });
}

/** A table's row: local minutes instead of ISO strings with milliseconds. */
export function tableCells(facts: ListFacts, domains: readonly string[], keyType: string): string[] {
  return [facts.status.name, domainsCell(domains), keyType, ...statusCells(facts)];
}

export function domainsCell(domains: readonly string[]): string {
  return domains.length === 1 ? domains[0]! : domains.join(',');
}

/** The cells after NAME, DOMAINS and KEY: NOT AFTER to DEPLOY, which the status alone decides. */
export function statusCells({ status: s, foreign }: ListFacts): string[] {
  const notAfter = s.stored?.notAfter;
  const next = foreign && !notAfter ? '-' : s.decision.due ? 'now' : formatLocal(s.dueAt);
  const last = foreign ? foreignNote(foreign)
    : s.last ? `${s.last.result} ${s.last.at ? localTimes(s.last.at) : ''}${s.last.error ? `: ${localTimes(s.last.error)}` : ''}`
    : s.stored ? `issued ${localTimes(s.stored.issuedAt)}` : 'none';
  return [notAfter ? formatLocal(notAfter) : '-', s.stored ? String(s.stored.daysLeft) : '-', next, last, deploySummary(s.deploy ?? null)];
}

/** `ok`, or the failed actions and when a required one is retried. */
export function deploySummary(d: DeployState | null): string {
  if (!d) return 'none';
  const failed = d.actions.filter((a) => a.result === 'failed');
  if (failed.length === 0) return `ok ${formatLocal(d.actions[0]!.at)}`;
  const retry = d.nextAttempt ? `, retry ${formatLocal(d.nextAttempt)}` : '';
  return `failed ${formatLocal(failed[0]!.at)}: ${failed.map((a) => a.describe).join(', ')}${retry}`;
}

/** Every ISO time in `text` in local minutes (a text that is one such time, the common case, without a regular expression replace). */
export function localTimes(text: string): string {
  return isUtcIso(text) ? formatLocal(text) : text.replace(ISO_IN_TEXT, (iso) => formatLocal(iso));
}
const ISO_IN_TEXT = /\d{4}-\d\d-\d\dT[\d:.]+Z/g;
const ENDS_BLANK = /\s$/;

/**
 * Rows of cells, set in any order by index (an index never set is a row filtered out), written
 * padded to their columns' widths, two spaces apart, a few thousand lines at a time: a write per
 * row cost more than reading the store, and one string of the whole table was memory the
 * collector copied.
 */
export class TableText {
  private readonly columns: number;
  private readonly cells: (string | undefined)[];
  private readonly widths: number[];

  /** `header` is the first line; `rows` the most rows set after it (indices 0 to rows - 1). */
  constructor(header: readonly string[], rows: number) {
    this.columns = header.length;
    this.widths = new Array<number>(this.columns).fill(0);
    this.cells = new Array<string | undefined>((rows + 1) * this.columns);
    this.set(-1, header);
  }

  set(index: number, row: readonly string[]): void {
    for (let i = 0; i < this.columns; i++) this.cell(index, i, row[i]!);
  }

  /** One cell of a row (a row is shown once its first cell is set: set every cell of it). */
  cell(index: number, column: number, text: string): void {
    if (text.length > this.widths[column]!) this.widths[column] = text.length;
    this.cells[(index + 1) * this.columns + column] = text;
  }

  *chunks(linesPerChunk = 4096): Iterable<string> {
    const { widths, columns, cells } = this;
    // Padding as concatenation with shared runs of spaces, not padEnd: a string copied per cell
    // was most of the writing (about 20 ms of 50 at 100,000 rows).
    const spaces = widths.map((w) => Array.from({ length: w + 3 }, (_, n) => ' '.repeat(n)));
    let chunk = '';
    let lines = 0;
    for (let at = 0; at < cells.length; at += columns) {
      if (cells[at] === undefined) continue;
      let line = '';
      for (let i = 0; i < columns - 1; i++) {
        const cell = cells[at + i]!;
        line += cell + spaces[i]![widths[i]! - cell.length + 2]!;
      }
      const last = cells[at + columns - 1]!;
      // Without trailing blanks, as trimEnd of the whole line gives (a last cell that ends blank, or none).
      chunk += last === '' || ENDS_BLANK.test(last) ? `${`${line}${last}`.trimEnd()}\n` : `${line}${last}\n`;
      if (++lines === linesPerChunk) {
        yield chunk;
        chunk = '';
        lines = 0;
      }
    }
    if (chunk) yield chunk;
  }
}

/**
 * The store as a StatusSource whose bulk read has taken its first step now: what it does before
 * its first page (open the store's index, check it against the files, send the query) runs while
 * the caller does other work. Its bulk read is taken once; the rows' filter is the one
 * visitStatuses gives it (a row read before that is parsed, and skipped there).
 */
export function earlyBulkRead(store: StatusSource & Required<Pick<StatusSource, 'schedules'>>, signal: AbortSignal): StatusSource {
  let only: ((name: string) => boolean) | undefined;
  const bulk = startedNow(store.schedules(signal, (name) => only?.(name) ?? true));
  return {
    readMeta: (name, s) => store.readMeta(name, s),
    readState: (name, s) => store.readState(name, s),
    schedules: (_signal, wanted) => {
      only = wanted;
      return bulk;
    },
  };
}

/** `iterable` with its first step taken now. Iterated once. */
function startedNow<T>(iterable: AsyncIterable<T>): AsyncIterable<T> {
  const it = iterable[Symbol.asyncIterator]();
  let first: Promise<IteratorResult<T>> | undefined = it.next();
  // Its failure is the consumer's, or nobody's when the config fails to parse.
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
