import { formatLocal, passesFilters, type ListFilters } from './list-check.js';
import type { WorkerRow } from './list-row-text.js';
import { statusCells } from './list-table.js';
import { certificateStatus, renewalDecision, type StatusContext, type StatusSpec } from '../scheduler/certificate-status.js';
import { EMPTY_STATE } from '../scheduler/renewal-policy.js';
import type { IndexPage, StoreIndexReader } from '../store/store-index.js';

/** What `list` gives its worker (list-worker.ts): all structured-cloneable. */
export interface ListWorkerInput {
  indexFile: string;
  /** The `now` of the whole listing, Unix ms. */
  now: number;
  /** The config's `acme.directory` (a certificate from another CA is due). */
  directory: string;
  filters: ListFilters;
  /** Some spec may have `force_renew` (its key is in the config's text): rows carry that variant's NEXT RENEWAL. */
  forceRenew: boolean;
  /** The next chunk to claim (claimer), shared with the main thread. */
  claims: SharedArrayBuffer;
  /** Rowids per chunk (CHUNK_ROWIDS unless given). */
  chunkRowids?: number;
}

/** Rowids per chunk: what one thread claims at a time, and the worker posts as one page. */
export const CHUNK_ROWIDS = 2_000;

/** Chunk `k` of the index as WorkerRows (a row that is no certificate left out). */
export function chunkRows(reader: Pick<StoreIndexReader, 'chunk'>, k: number, input: Omit<ListWorkerInput, 'indexFile' | 'claims'>): WorkerRow[] {
  const ctx: StatusContext = { directory: input.directory, now: input.now, run: 'daemon' };
  const out: WorkerRow[] = [];
  for (const row of reader.chunk(k, input.chunkRowids ?? CHUNK_ROWIDS)) {
    const r = workerRow(row, ctx, input.filters, input.forceRenew);
    if (r) out.push(r);
  }
  return out;
}

/** A claim on `claims` (an Int32Array over the shared counter). */
export function claimer(claims: SharedArrayBuffer): () => number {
  const counter = new Int32Array(claims);
  return () => Atomics.add(counter, 0, 1);
}

/**
 * One index row as `list` shows it, as visitStatuses and visitListFacts would for a spec with the
 * stored domains and key type (the main thread checks that). Undefined: no certificate (a row
 * with neither metadata nor state is none, as in FileStore.schedules).
 */
export function workerRow(row: IndexPage['rows'][number], ctx: StatusContext, filters: ListFilters, forceRenew: boolean): WorkerRow | undefined {
  const { name, meta } = row;
  if (meta === undefined || row.state === undefined) return { kind: 'unsure', name };
  // State without a certificate: the main thread's row, which looks at live/<name> too.
  if (meta === null) return row.state && row.state.version > 0 ? { kind: 'unsure', name } : undefined;
  const state = row.state?.state ?? EMPTY_STATE;
  const spec: StatusSpec = { name, domains: meta.domains, key_type: meta.keyType as StatusSpec['key_type'], force_renew: false };
  const status = certificateStatus(spec, meta, state, ctx);
  if (!passesFilters({ status }, filters, ctx.now)) return { kind: 'hidden', name };
  const cells = statusCells({ status });
  // The NEXT RENEWAL cell of a `force_renew` spec, when it differs (the worker does not know the specs).
  const forced = !forceRenew || status.decision.due ? undefined : renewalDecision({ ...spec, force_renew: true }, meta, state, ctx);
  const forcedNext = forced && (forced.due ? 'now' : forced.at !== status.dueAt ? formatLocal(forced.at) : undefined);
  return { kind: 'shown', name, domains: meta.domains.join(','), keyType: meta.keyType, cells, forcedNext };
}
