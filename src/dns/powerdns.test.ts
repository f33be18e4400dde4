import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { CertfleetError } from '../errors.js';
import { PowerDnsProvider } from './powerdns.js';
import { quoteTxt, unquoteTxt } from './txt-presentation.js';

describe('TXT presentation format', () => {
  it('round-trips values with quotes and backslashes', () => {
    for (const v of ['abc', 'heritage=external-dns,external-dns/owner=x', 'with "quotes"', 'back\\slash']) {
      expect(unquoteTxt(quoteTxt(v))).toBe(v);
    }
    expect(quoteTxt('a"b')).toBe('"a\\"b"');
    expect(unquoteTxt('"part1" "part2"')).toBe('part1part2');
  });
});

describe('PowerDnsProvider requests', () => {
  it('a server that accepts and never answers fails the request after its limit, retryable, naming the server', async () => {
    const hung = createServer(() => { /* never answers */ });
    await new Promise<void>((r) => hung.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(hung.address() as { port: number }).port}`;
    try {
      const p = new PowerDnsProvider({ id: 'home', apiUrl: url, apiKey: 'k', serverId: 'localhost', requestTimeoutMs: 100 });
      const err = await p.appendRecords('example.test', [{ name: 'x', type: 'TXT', data: 'v', ttl: 60 }], AbortSignal.timeout(10_000)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CertfleetError);
      expect((err as CertfleetError).retryable).toBe(true);
      expect((err as Error).message).toBe(`PowerDNS provider home: no answer from ${url}/api/v1/servers/localhost within 0.1 s (GET)`);
    } finally {
      hung.closeAllConnections();
      hung.close();
    }
  });
});
