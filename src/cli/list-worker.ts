import { parentPort } from 'node:worker_threads';
import { errorMessage } from '../errors.js';
import { StoreIndexReader } from '../store/store-index.js';
import { rowText } from './list-row-text.js';
import { chunkRows, CHUNK_ROWIDS, claimer, type ListWorkerInput } from './list-worker-pages.js';

/** What the worker posts: pages of rowText, then `done`, or an `error` (the main thread then reads the store itself). */
export type ListWorkerMessage = { page: string } | { done: true } | { error: string };

/*
 * `certfleet list`'s worker thread (ListWorker spawns it): reads the store index and computes the
 * stored certificates' status cells while the main thread parses the config. At 100,000
 * certificates the two were each about half of the listing (docs/benchmarks.md).
 */
const port = parentPort!;
const post = (m: ListWorkerMessage) => port.postMessage(m);
// Spawned before the config is read: what to read comes once it is (ListWorker.start).
port.once('message', (input: ListWorkerInput) => {
  let reader: StoreIndexReader | undefined;
  try {
    reader = StoreIndexReader.open(input.indexFile);
    if (!reader) post({ error: 'no store index' });
    else {
      const chunks = reader.chunks(input.chunkRowids ?? CHUNK_ROWIDS);
      const claim = claimer(input.claims);
      for (let k = claim(); k < chunks; k = claim()) {
        let page = '';
        for (const row of chunkRows(reader, k, input)) page += rowText(row);
        if (page) post({ page });
      }
      post({ done: true });
    }
  } catch (err) {
    post({ error: errorMessage(err) });
  } finally {
    reader?.close();
    port.close();
  }
});
