import { Worker } from 'node:worker_threads';
import { certificateName, type Config } from '../config/schema.js';
import type { StatusSource } from '../scheduler/certificate-status.js';
import { StoreIndexReader } from '../store/store-index.js';
import { PageReader, rowView, type RowView } from './list-row-text.js';
import { domainsCell, TABLE_HEADER, TableText, tableCells, visitListFacts } from './list-table.js';
import type { ListWorkerMessage } from './list-worker.js';
import { chunkRows, CHUNK_ROWIDS, claimer, type ListWorkerInput } from './list-worker-pages.js';

/**
 * From this many certificates on, `list`'s table is made with a worker thread: below, its start
 * (a second V8 isolate that loads and compiles its modules) costs about what it saves. Measured:
 * 20,000 certificates 0.44 s either way, 50,000 0.66 s against 1.03 s (docs/benchmarks.md).
 */
export const LIST_WORKER_FROM = 25_000;

/** The smallest config file that can hold LIST_WORKER_FROM entries (`- domains: [a.b]`, 20 bytes each): a worker is spawned early for it. */
export const LIST_WORKER_FILE_BYTES = LIST_WORKER_FROM * 20;

/**
 * The single executable (scripts/sea.mjs) is one file: it carries the worker's code as this
 * string (a build of list-worker.ts of its own); the bundle and the build have it as a file.
 */
declare const CERTFLEET_LIST_WORKER: string | undefined;

function workerSource(): URL | { code: string } {
  return typeof CERTFLEET_LIST_WORKER === 'string' ? { code: CERTFLEET_LIST_WORKER } : new URL('./list-worker.js', import.meta.url);
}

/** A store whose index a ListWorker can read beside it (FileStore). */
export interface WorkerReadableStore extends StatusSource {
  /** See FileStore.indexReadable. */
  indexReadable(): Promise<{ refreshed: readonly string[] } | undefined>;
}

/**
 * `list`'s table in two threads. The worker (list-worker.ts) reads the store index in chunks of
 * rowids and computes each stored certificate's status cells, from as soon as the config's store
 * section is read; the main thread parses the entries meanwhile, then claims chunks too (the two
 * share them out) and puts each row beside its spec. The rows no chunk answers for are the main
 * thread's, read as visitListFacts reads them: rows the index is unsure of or found out of step
 * with the files at its open, specs whose domains or key type differ from the stored ones, and
 * certificates with nothing stored.
 */
export class ListWorker {
  private readonly worker: Worker;
  private readonly pages: string[] = [];
  private end: { error?: string } | undefined;
  private wake: (() => void) | undefined;
  private input: ListWorkerInput | undefined;

  /**
   * Starts the thread, which waits for `start`: spawned before the config is read, its start (an
   * isolate, Node's own modules, then ours: about 0.1 s) overlaps reading the config's sections.
   */
  constructor(source: URL | { code: string } = workerSource()) {
    this.worker = source instanceof URL ? new Worker(source) : new Worker(source.code, { eval: true });
    // Holds the process only once started: a worker never started (a small or failed config) ends with it.
    this.worker.unref();
    const finish = (end: { error?: string }) => {
      this.end ??= end;
      this.wake?.();
    };
    this.worker.on('message', (m: ListWorkerMessage) => {
      if ('page' in m) this.pages.push(m.page);
      else finish('error' in m ? { error: m.error } : {});
      this.wake?.();
    });
    this.worker.on('error', (err: Error) => finish({ error: err.message }));
    this.worker.on('exit', (code) => finish(code === 0 ? {} : { error: `the worker exited ${code}` }));
  }

  /** What to read: from here on the worker reads the store index. */
  start(what: Omit<ListWorkerInput, 'claims'>): void {
    const input = { ...what, claims: new SharedArrayBuffer(4) };
    this.input = input;
    this.worker.ref();
    this.worker.postMessage(input);
  }

  /**
   * The table of `config`'s certificates that pass `filters`, as visitListFacts and tableCells make
   * it. Undefined when the worker's rows cannot be used (no index, or one rebuilt at this open;
   * the worker failed): the caller makes the table itself then.
   */
  async table(config: Config, store: WorkerReadableStore, signal: AbortSignal): Promise<TableText | undefined> {
    if (!this.input) throw new Error('ListWorker.table before start');
    const input = this.input;
    let reader: StoreIndexReader | undefined;
    try {
      const readable = await store.indexReadable();
      reader = readable && StoreIndexReader.open(input.indexFile);
      return readable && reader ? await this.merged(config, store, readable, reader, signal) : undefined;
    } catch (err) {
      signal.throwIfAborted();
      // The index read here failed (damaged since its open, say): the one-thread read, which
      // reads the files where the index fails, makes the table, or says what is wrong.
      if (isSqliteError(err)) return undefined;
      throw err;
    } finally {
      reader?.close();
      // Not used, or a merge that failed: no thread is left behind to hold the process.
      if (!this.end || this.end.error !== undefined) await this.worker.terminate();
    }
  }

  private async merged(config: Config, store: WorkerReadableStore, readable: { refreshed: readonly string[] }, reader: StoreIndexReader, signal: AbortSignal): Promise<TableText | undefined> {
    const input = this.input!;
    const specs = config.certificates;
    const at = new Map<string, number>();
    for (let i = 0; i < specs.length; i++) at.set(certificateName(specs[i]!), i);
    const refreshed = new Set(readable.refreshed);
    const seen = new Uint8Array(specs.length);
    const mine: number[] = [];
    const table = new TableText(TABLE_HEADER, specs.length);
    const put = (row: RowView) => {
      const i = at.get(row.name);
      if (i === undefined || seen[i]) return;
      seen[i] = 1;
      if (row.kind === 'unsure' || refreshed.has(row.name)) {
        mine.push(i);
        return;
      }
      if (row.kind === 'hidden') return;
      const spec = specs[i]!;
      const domains = domainsCell(spec.domains);
      // A force_renew spec the worker did not know of (added through the API, so not in the file's text).
      if (!row.stored(domains, spec.key_type) || (spec.force_renew && !input.forceRenew)) {
        mine.push(i);
        return;
      }
      table.cell(i, 0, row.name);
      table.cell(i, 1, domains);
      table.cell(i, 2, spec.key_type);
      table.cell(i, 3, row.cell(0));
      table.cell(i, 4, row.cell(1));
      table.cell(i, 5, (spec.force_renew && row.forcedNext()) || row.cell(2));
      table.cell(i, 6, row.cell(3));
      table.cell(i, 7, row.cell(4));
    };
    // The worker's pages as they come; between them, chunks this thread claims itself (the two
    // share them out through input.claims), until none is left and the worker is done.
    const chunks = reader.chunks(input.chunkRowids ?? CHUNK_ROWIDS);
    const claim = claimer(input.claims);
    let claiming = true;
    for (;;) {
      signal.throwIfAborted();
      const text = this.pages.shift();
      if (text !== undefined) {
        for (const row = new PageReader(text); row.next();) put(row);
        continue;
      }
      if (claiming) {
        const k = claim();
        if (k < chunks) for (const row of chunkRows(reader, k, input)) put(rowView(row));
        else claiming = false;
        // A turn of the event loop: the worker's pages that came meanwhile are taken first.
        await new Promise<void>((resolve) => setImmediate(resolve));
        continue;
      }
      if (this.end) break;
      await new Promise<void>((resolve) => { this.wake = resolve; });
      this.wake = undefined;
    }
    if (this.end?.error !== undefined) return undefined;
    // The rows the worker left to this thread, then those it never saw (nothing stored, or new since).
    for (let i = 0; i < specs.length; i++) if (!seen[i]) mine.push(i);
    const subset = { ...config, certificates: mine.map((i) => specs[i]!) };
    await visitListFacts(subset, store, input.now, input.filters, signal, (j, facts) => {
      const spec = subset.certificates[j]!;
      table.set(mine[j]!, tableCells(facts, spec.domains, spec.key_type));
    });
    return table;
  }

  /** Stops the worker (not started, or a listing that failed before its table). */
  async stop(): Promise<void> {
    await this.worker.terminate();
  }
}

/** An error of node:sqlite's (the index), as opposed to one of this code's. */
function isSqliteError(err: unknown): boolean {
  return err instanceof Error && (err as { code?: unknown }).code === 'ERR_SQLITE_ERROR';
}
