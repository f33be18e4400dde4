/**
 * `list`'s rows between its worker (list-worker.ts), which computes the status cells of the
 * stored certificates, and the main thread, which parses the config meanwhile: one string per
 * page. A string crosses threads as one copy; objects are cloned one by one, about as slowly as
 * the JSON.parse the worker is there to take off the main thread.
 */

const FIELD = '\u001f';
const ROW = '\u001e';

/**
 * A stored certificate's row as the worker saw it:
 * - `shown`: its status cells (NOT AFTER to DEPLOY) for a spec whose domains and key type are
 *   the stored ones (`domains` joined by commas, `keyType`), and NEXT RENEWAL for `force_renew`
 *   when that differs;
 * - `hidden`: the filters leave it out, whatever the spec (they read the store alone);
 * - `unsure`: the index is not sure of it (a writer's mark), or a cell holds a separator: the
 *   main thread reads it itself.
 */
export type WorkerRow =
  | { kind: 'shown'; name: string; domains: string; keyType: string; cells: string[]; forcedNext: string | undefined }
  | { kind: 'hidden'; name: string }
  | { kind: 'unsure'; name: string };

const KIND = { shown: 'S', hidden: 'H', unsure: 'U' } as const;

/** `row` as text, appended to a page. */
export function rowText(row: WorkerRow): string {
  // A name with a separator is no config's (names are validated): nothing to show.
  if (SEPARATOR.test(row.name)) return '';
  if (row.kind !== 'shown') return `${KIND[row.kind]}${FIELD}${row.name}${ROW}`;
  const [notAfter, days, next, last, deploy] = row.cells;
  // The cells that hold text from the store (the others are times and numbers certfleet wrote).
  if (SEPARATOR.test(`${row.domains}${row.keyType}${last}${deploy}`)) return `${KIND.unsure}${FIELD}${row.name}${ROW}`;
  return `${KIND.shown}${FIELD}${row.name}${FIELD}${row.domains}${FIELD}${row.keyType}${FIELD}${notAfter}${FIELD}${days}${FIELD}${next}${FIELD}${last}${FIELD}${deploy}${FIELD}${row.forcedNext ?? ''}${ROW}`;
}

// eslint-disable-next-line no-control-regex
const SEPARATOR = /[\u001e\u001f]/;

/** A WorkerRow as the main thread reads it: a PageReader's current row, or rowView's. */
export interface RowView {
  readonly kind: WorkerRow['kind'];
  readonly name: string;
  /** A `shown` row: the stored domains (joined by commas) are `domains` and its key type `keyType`. */
  stored(domains: string, keyType: string): boolean;
  /** A `shown` row's status cell k (0: NOT AFTER … 4: DEPLOY). */
  cell(k: number): string;
  /** A `shown` row's NEXT RENEWAL for `force_renew`, when that differs. */
  forcedNext(): string | undefined;
}

/** A WorkerRow the main thread computed itself, without text. */
export function rowView(row: WorkerRow): RowView {
  return {
    kind: row.kind,
    name: row.name,
    stored: (domains, keyType) => row.kind === 'shown' && row.domains === domains && row.keyType === keyType,
    cell: (k) => (row.kind === 'shown' ? row.cells[k]! : ''),
    forcedNext: () => (row.kind === 'shown' ? row.forcedNext : undefined),
  };
}

/**
 * The rows of a page that rowText wrote, in its order, one at a time without an object per row
 * (at 100,000 rows, splitting each into an array of fields was a sixth of the main thread's work).
 */
export class PageReader implements RowView {
  private at = 0;
  /** Where each field ends (its separator), after ends[0], where the row starts less one. */
  private readonly ends = new Int32Array(11);
  kind: WorkerRow['kind'] = 'unsure';
  name = '';

  constructor(private readonly text: string) {}

  /** To the next row; false after the last. */
  next(): boolean {
    const text = this.text;
    if (this.at >= text.length) return false;
    const end = text.indexOf(ROW, this.at);
    const ends = this.ends;
    ends[0] = this.at - 1;
    let n = 1;
    for (let p = text.indexOf(FIELD, this.at); p >= 0 && p < end; p = text.indexOf(FIELD, p + 1)) ends[n++] = p;
    ends[n] = end;
    const kind = text.charAt(this.at);
    this.kind = kind === KIND.shown ? 'shown' : kind === KIND.hidden ? 'hidden' : 'unsure';
    this.name = this.field(1);
    this.at = end + 1;
    return true;
  }

  stored(domains: string, keyType: string): boolean {
    return this.is(2, domains) && this.is(3, keyType);
  }

  cell(k: number): string {
    return this.field(4 + k);
  }

  forcedNext(): string | undefined {
    return this.field(9) || undefined;
  }

  /** Field k (0: the kind, 1: the name, …), between separators k and k + 1. */
  private field(k: number): string {
    return this.text.slice(this.ends[k]! + 1, this.ends[k + 1]);
  }

  private is(k: number, value: string): boolean {
    const start = this.ends[k]! + 1;
    return this.ends[k + 1]! - start === value.length && this.text.startsWith(value, start);
  }
}
