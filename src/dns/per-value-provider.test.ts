import { describe, expect, it } from 'vitest';
import { ListingPerValueProvider, PerValueProvider, type NewRecord, type PerValueApi, type ValueRecord } from './per-value-provider.js';
import type { ApiZone } from './zone-walk.js';

const signal = () => AbortSignal.timeout(5_000);

/** An API keeping records in memory that ignores `at` (filters nothing), logging each write. */
function memoryApi(): PerValueApi<ApiZone> & { rows: ValueRecord[]; writes: string[] } {
  let next = 1;
  const rows: ValueRecord[] = [];
  const writes: string[] = [];
  return {
    rows, writes,
    findZone: (c) => Promise.resolve(c === 'example.com' ? { name: c } : undefined),
    // A yield before answering, so that two unserialised callers would both read before either writes.
    list: async () => { await new Promise((r) => setTimeout(r, 5)); return rows.map((r) => ({ ...r })); },
    create: (_z, r: NewRecord) => { writes.push(`create ${r.name} ${r.data} ${r.ttl}`); rows.push({ ...r, id: String(next++) }); return Promise.resolve(); },
    remove: (_z, r) => {
      writes.push(`remove ${r.name} ${r.data} ${r.ttl}`);
      const i = rows.findIndex((x) => x.id === r.id);
      if (i >= 0) rows.splice(i, 1);
      return Promise.resolve(i >= 0);
    },
  };
}

describe('PerValueProvider', () => {
  it('a set below the minimum TTL is not written again when nothing changed', async () => {
    const api = memoryApi();
    const p = new PerValueProvider({ id: 'p', label: 'Example provider p', api, minTtl: 30 });
    await p.setRecords('example.com', [{ name: '_acme-challenge', type: 'TXT', data: 'a', ttl: 10 }], signal());
    api.writes.length = 0;
    await p.setRecords('example.com', [{ name: '_acme-challenge', type: 'TXT', data: 'a', ttl: 10 }], signal());
    expect(api.writes).toEqual([]);
  });

  it('concurrent appends of one value create it once; an API that does not filter by name is filtered here', async () => {
    const api = memoryApi();
    api.rows.push({ id: 'x', name: 'www.example.com', type: 'TXT', data: 'v', ttl: 60 });
    const p = new PerValueProvider({ id: 'p', label: 'Example provider p', api });
    const rec = { name: '_acme-challenge', type: 'TXT', data: 'v', ttl: 60 };
    const [a, b] = await Promise.all([p.appendRecords('example.com', [rec], signal()), p.appendRecords('example.com', [rec], signal())]);
    expect([...a, ...b]).toEqual([rec]);
    expect(api.writes).toEqual(['create _acme-challenge.example.com v 60']);
  });

  it('a set creates the new values before deleting the old, and deletes a value first only when its TTL changes', async () => {
    const api = memoryApi();
    api.rows.push({ id: 'o', name: 'n.example.com', type: 'TXT', data: 'old', ttl: 60 }, { id: 'k', name: 'n.example.com', type: 'TXT', data: 'keep', ttl: 60 });
    const p = new PerValueProvider({ id: 'p', label: 'Example provider p', api });
    await p.setRecords('example.com', [{ name: 'n', type: 'TXT', data: 'keep', ttl: 300 }, { name: 'n', type: 'TXT', data: 'new', ttl: 300 }], signal());
    expect(api.writes).toEqual(['remove n.example.com keep 60', 'create n.example.com keep 300', 'create n.example.com new 300', 'remove n.example.com old 60']);
  });

  it('lists zones only when the API can', async () => {
    const api = { ...memoryApi(), zones: () => Promise.resolve(['example.com']) };
    expect(await new ListingPerValueProvider({ id: 'p', label: 'Example provider p', api }).listZones(signal())).toEqual(['example.com']);
    expect('listZones' in new PerValueProvider({ id: 'p', label: 'Example provider p', api: memoryApi() })).toBe(false);
  });
});
