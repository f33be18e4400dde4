import { describe, expect, it } from 'vitest';
import { PowerDnsProvider } from '../../src/dns/powerdns.js';
import { poolFetch, type FetchLike } from '../../src/http/pool-fetch.js';
import { findRecorded, loadCassettes, type RecordedInteraction } from '../support/cassette.js';
import { startPowerDns } from '../support/powerdns-server.js';
import { shapeContradictions, type SeenRequest } from '../support/recorded-shapes.js';

const recorded = loadCassettes('powerdns');
const signal = () => AbortSignal.timeout(10_000);

/** A fetch that answers with recorded interactions, in order. */
function replay(answers: RecordedInteraction[]): FetchLike {
  return () => {
    const a = answers.shift();
    if (!a) return Promise.reject(new Error('no more recorded answers'));
    return Promise.resolve({ ok: a.status < 300, status: a.status, headers: { get: () => null }, text: () => Promise.resolve(a.responseBody), json: () => Promise.resolve(JSON.parse(a.responseBody)) });
  };
}

describe('powerdns against its recorded traffic', () => {
  it('an unknown zone answered 422 "Could not find domain" (as the recording shows) is DNS_ZONE_NOT_FOUND, not a generic failure', async () => {
    const p = new PowerDnsProvider({ id: 'pdns', apiUrl: 'http://127.0.0.1:1', apiKey: 'recorded-key', serverId: 'localhost', fetch: replay([findRecorded(recorded, { status: 422 })]) });
    await expect(p.getRecords('thisisadomainidonotown.com', signal())).rejects.toMatchObject({ code: 'DNS_ZONE_NOT_FOUND', message: expect.stringContaining("Could not find domain 'thisisadomainidonotown.com.'") });
  });

  it('parses a recorded zone answer verbatim', async () => {
    const zone = recorded.filter((i) => i.method === 'GET' && i.status === 200 && i.responseBody.includes('"rrsets": [{'))[0]!;
    const p = new PowerDnsProvider({ id: 'pdns', apiUrl: 'http://127.0.0.1:1', apiKey: 'recorded-key', serverId: 'localhost', fetch: replay([zone]) });
    const records = await p.getRecords('sometestdomain.com', signal());
    expect(records.length).toBeGreaterThan(0);
    expect(records.every((r) => r.name && r.type && typeof r.ttl === 'number')).toBe(true);
  });

  it('makes no request against real PowerDNS whose shape the recordings contradict (beyond the documented rrset filter and zone list)', async () => {
    const pdns = await startPowerDns(['example.test']);
    try {
      const seen: SeenRequest[] = [];
      const real = poolFetch();
      const recording: FetchLike = (url, init) => {
        const u = new URL(url);
        seen.push({ method: init?.method ?? 'GET', url: `${u.pathname}${u.search}`, body: init?.body === undefined ? '' : String(init.body) });
        return real(url, init);
      };
      const p = new PowerDnsProvider({ id: 'pdns', apiUrl: pdns.apiUrl, apiKey: pdns.apiKey, serverId: 'localhost', fetch: recording });
      const recs = [{ name: '_acme-challenge', type: 'TXT', data: 'a', ttl: 60 }, { name: '_acme-challenge', type: 'TXT', data: 'b', ttl: 60 }];
      await p.appendRecords('example.test', recs, signal());
      await p.deleteRecords('example.test', recs.slice(0, 1), signal());
      await p.getRecords('example.test', signal());
      await p.setRecords('example.test', [{ name: 'www', type: 'A', data: '192.0.2.1', ttl: 300 }], signal());
      await p.listZones(signal());
      // Documented in the PowerDNS API (4.x), unused by lexicon's recordings: the zone list and the rrset filter.
      const documented = (s: SeenRequest) => (s.method === 'GET' && /\/zones$/.test(new URL(s.url, 'http://x').pathname)) || /[?&]rrset_name=/.test(s.url);
      expect(shapeContradictions(recorded, seen.filter((s) => !documented(s)), { recordedPrefix: '' })).toEqual([]);
      expect(seen.filter(documented).length).toBeGreaterThan(0);
    } finally {
      await pdns.stop();
    }
  });
});
