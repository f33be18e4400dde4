import { createSocket } from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import { describe, expect, it, vi } from 'vitest';
import { CertfleetError } from '../errors.js';
import { NodeDnsLookup } from './dns-lookup.js';

describe('NodeDnsLookup errors', () => {
  it('a server that does not answer gives a DNS_LOOKUP error naming the question and the server', async () => {
    // A UDP socket that reads and never answers: the query times out.
    const silent = createSocket('udp4');
    await new Promise<void>((r) => silent.bind(0, '127.0.0.1', r));
    const server = `127.0.0.1:${silent.address().port}`;
    try {
      const err = await new NodeDnsLookup([server], 100).cname('_acme-challenge.www.example.test', AbortSignal.timeout(5000)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CertfleetError);
      expect((err as CertfleetError).code).toBe('DNS_LOOKUP');
      expect((err as CertfleetError).retryable).toBe(true);
      expect((err as Error).message).toBe(`DNS lookup of CNAME _acme-challenge.www.example.test at ${server} failed: no answer in time (ETIMEOUT)`);
    } finally {
      silent.close();
    }
  });

  it('a refused query still means "no zone here" for the SOA walk and "no CNAME" for a CNAME', async () => {
    // A server that answers every query REFUSED (rcode 5), as an authoritative-only server does.
    const refusing = createSocket('udp4');
    refusing.on('message', (msg, from) => {
      const answer = Buffer.from(msg.subarray(0, 12));
      answer[2] = 0x80 | (msg[2]! & 0x01); // QR, RD copied
      answer[3] = 0x05; // REFUSED
      answer.writeUInt16BE(0, 6);
      refusing.send(Buffer.concat([answer.subarray(0, 4), Buffer.from([msg[4]!, msg[5]!, 0, 0, 0, 0, 0, 0]), msg.subarray(12)]), from.port, from.address);
    });
    await new Promise<void>((r) => refusing.bind(0, '127.0.0.1', r));
    const lookup = new NodeDnsLookup([`127.0.0.1:${refusing.address().port}`], 500);
    try {
      expect(await lookup.soa('example.test', AbortSignal.timeout(5000))).toBe(false);
      expect(await lookup.cname('_acme-challenge.example.test', AbortSignal.timeout(5000))).toBeUndefined();
      await expect(lookup.ns('example.test', AbortSignal.timeout(5000))).rejects.toThrow(/^DNS lookup of NS example.test at 127\.0\.0\.1:\d+ failed: query refused \(EREFUSED\)$/);
    } finally {
      refusing.close();
    }
  });

  it('reuses a resolver between questions, but not one whose question was cancelled', async () => {
    const refusing = createSocket('udp4');
    refusing.on('message', (msg, from) => {
      const answer = Buffer.from(msg.subarray(0, 12));
      answer[2] = 0x80 | (msg[2]! & 0x01);
      answer[3] = 0x05; // REFUSED
      refusing.send(Buffer.concat([answer.subarray(0, 4), Buffer.from([msg[4]!, msg[5]!, 0, 0, 0, 0, 0, 0]), msg.subarray(12)]), from.port, from.address);
    });
    await new Promise<void>((r) => refusing.bind(0, '127.0.0.1', r));
    const silent = createSocket('udp4');
    await new Promise<void>((r) => silent.bind(0, '127.0.0.1', r));
    // setServers is called once per resolver made (the servers are explicit).
    const made = vi.spyOn(Resolver.prototype, 'setServers');
    try {
      const lookup = new NodeDnsLookup([`127.0.0.1:${refusing.address().port}`], 500);
      for (let i = 0; i < 3; i++) expect(await lookup.soa(`n${i}.example.test`, AbortSignal.timeout(5000))).toBe(false);
      expect(made).toHaveBeenCalledTimes(1);
      const quiet = new NodeDnsLookup([`127.0.0.1:${silent.address().port}`], 2000);
      const ac = new AbortController();
      const asked = quiet.cname('a.example.test', ac.signal).catch((e: unknown) => e);
      ac.abort(new Error('stop'));
      expect(((await asked) as Error).message).toBe('stop');
      await quiet.cname('b.example.test', AbortSignal.timeout(50)).catch(() => undefined);
      expect(made).toHaveBeenCalledTimes(3);
    } finally {
      made.mockRestore();
      refusing.close();
      silent.close();
    }
  });

  it('asks a zone apex\'s SOA once for many names in the zone, and names below it every time', async () => {
    const asked: string[] = [];
    const soa = vi.spyOn(Resolver.prototype, 'resolveSoa').mockImplementation((name: string) => {
      asked.push(name);
      return name === 'example.test'
        ? Promise.resolve({ nsname: 'ns.example.test', hostmaster: 'h.example.test', serial: 1, refresh: 1, retry: 1, expire: 1, minttl: 1 })
        : Promise.reject(Object.assign(new Error('no data'), { code: 'ENODATA' }));
    });
    try {
      const lookup = new NodeDnsLookup(['127.0.0.1:1'], 500);
      for (const name of ['a.example.test', 'b.example.test']) {
        expect(await lookup.soa(name, AbortSignal.timeout(1000))).toBe(false);
        expect(await lookup.soa(name === 'a.example.test' ? 'example.test' : 'Example.TEST', AbortSignal.timeout(1000))).toBe(true);
      }
      expect(asked).toEqual(['a.example.test', 'example.test', 'b.example.test']);
    } finally {
      soa.mockRestore();
    }
  });
});
