import { describe, expect, it } from 'vitest';
import { captureLog } from '../../test/support/test-log.js';
import type { DnsLookup } from './dns-lookup.js';
import { authoritativeServers, DEFAULT_PROPAGATION, propagationOptions, waitForTxt } from './propagation.js';
import { findZone } from './zone-finder.js';

/** A scripted DNS: values appear on each server after a given number of queries. */
function scripted(visibleAfter: Record<string, number>, values: string[]) {
  const asked: Record<string, number> = {};
  const lookup: DnsLookup = {
    soa: (name) => Promise.resolve(name === 'example.test'),
    ns: () => Promise.resolve(['ns1.example.test', 'ns2.example.test']),
    addresses: (h) => Promise.resolve(h === 'ns1.example.test' ? ['192.0.2.1'] : ['192.0.2.2', '2001:db8::2']),
    cname: () => Promise.resolve(undefined),
    txtAt: (server, name) => {
      const k = `${server} ${name}`;
      asked[k] = (asked[k] ?? 0) + 1;
      return Promise.resolve(asked[k] > (visibleAfter[server] ?? 0) ? values : values.slice(0, 1));
    },
  };
  return { lookup, asked };
}

const opts = { timeoutMs: 2000, firstIntervalMs: 1, maxIntervalMs: 4 };

describe('findZone', () => {
  it('walks up to the first name with an SOA', async () => {
    const { lookup } = scripted({}, []);
    expect(await findZone(lookup, '_acme-challenge.www.example.test', AbortSignal.timeout(1000))).toBe('example.test');
    await expect(findZone(lookup, 'other.invalid', AbortSignal.timeout(1000))).rejects.toThrow(/no zone found for other.invalid/);
  });
});

describe('authoritativeServers', () => {
  it('returns every address of every NS, IPv6 bracketed', async () => {
    const { lookup } = scripted({}, []);
    expect(await authoritativeServers(lookup, 'example.test', AbortSignal.timeout(1000))).toEqual(['192.0.2.1:53', '192.0.2.2:53', '[2001:db8::2]:53']);
  });
});

describe('waitForTxt', () => {
  it('waits until both values (apex + wildcard) are on every server, and stops asking satisfied servers', async () => {
    const { lookup, asked } = scripted({ 'a:53': 0, 'b:53': 3 }, ['v1', 'v2']);
    await waitForTxt(lookup, ['a:53', 'b:53'], new Map([['_acme-challenge.example.test', ['v1', 'v2']]]), opts, AbortSignal.timeout(5000));
    expect(asked['a:53 _acme-challenge.example.test']).toBe(1);
    expect(asked['b:53 _acme-challenge.example.test']).toBe(4);
  });

  it('times out naming the server that lags', async () => {
    const { lookup } = scripted({ 'a:53': 0, 'b:53': 1e9 }, ['v1', 'v2']);
    await expect(waitForTxt(lookup, ['a:53', 'b:53'], new Map([['n.example.test', ['v1', 'v2']]]), { ...opts, timeoutMs: 50 }, AbortSignal.timeout(5000)))
      .rejects.toThrow(/not visible after 0.05s on: b:53 n.example.test/);
  });

  it('says at the start and while it waits which servers still lack which names, and stops saying it once done', async () => {
    const cap = captureLog();
    const log = cap.log;
    const lines = cap.lines;
    const name = '_acme-challenge.example.test';
    // b:53 lags until the wait has reported twice: the progress lines are what lets it finish.
    const lookup: DnsLookup = {
      ...scripted({}, []).lookup,
      txtAt: (server) => Promise.resolve(server === 'a:53' || lines.length >= 3 ? ['v1'] : []),
    };
    await waitForTxt(lookup, ['a:53', 'b:53'], new Map([[name, ['v1']]]), { ...opts, timeoutMs: 10_000, log, progressEveryMs: 1 }, AbortSignal.timeout(5000));
    const records = cap.records();
    expect(records[0]).toMatchObject({ msg: 'dns_propagation_waiting', servers: ['a:53', 'b:53'], names: [name], elapsed_s: 0, timeout_s: 10 });
    expect(records.at(-1)).toMatchObject({ msg: 'dns_propagation_waiting', servers: ['b:53'], names: [name] });
    expect(records.every((r) => r.msg === 'dns_propagation_waiting')).toBe(true);
    const after = lines.length;
    await new Promise((r) => setTimeout(r, 20));
    expect(lines).toHaveLength(after);
  });

  it('stops at once when the caller aborts', async () => {
    const { lookup } = scripted({ 'a:53': 1e9 }, ['v1', 'v2']);
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('stop')), 20);
    await expect(waitForTxt(lookup, ['a:53'], new Map([['n', ['v2']]]), { ...opts, timeoutMs: 10_000 }, ac.signal)).rejects.toThrow('stop');
  });
});

describe('propagationOptions', () => {
  it('takes the timeout and nameservers from the resolved config, adds only the polling intervals', () => {
    expect(propagationOptions({ timeout: 7_000 })).toEqual({ ...DEFAULT_PROPAGATION, timeoutMs: 7_000 });
    expect(propagationOptions({ timeout: 7_000, nameservers: ['192.0.2.53:53'] })).toEqual({ ...DEFAULT_PROPAGATION, timeoutMs: 7_000, nameservers: ['192.0.2.53:53'] });
  });
});
