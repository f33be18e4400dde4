import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DnsProvider, RecordGetter, RecordSetter } from '../../src/dns/dns-provider.js';
import { loadCassettes } from './cassette.js';
import type { FakeAnswer, FakeApiServer } from './fake-api-server.js';
import { describeProviderCapabilities } from './provider-capabilities.js';
import { describeProviderConformance } from './provider-conformance.js';
import { shapeContradictions, type ShapeOptions } from './recorded-shapes.js';

/** What every cassette-built fake offers. */
export interface FakeApi {
  api: FakeApiServer;
  /** TXT texts at a name. */
  txt(fqdn: string): string[];
  stop(): Promise<void>;
}

export interface ApiProviderSuite<F extends FakeApi> {
  /** The folder of test/cassettes/ (and the suite's label). */
  cassettes: string;
  start(): Promise<F>;
  /** The fake for the conformance suite, when it needs other settings (deSEC: a lowered minimum TTL). */
  startForConformance?(): Promise<F>;
  provider(fake: F): DnsProvider & RecordGetter & RecordSetter;
  /** A provider on `fake` with wrong credentials, and those credentials: none may appear in the error. */
  refused(fake: F): { provider: DnsProvider; secrets: string[] };
  /** Part of the DNS_AUTH message: the API's own words and what the credentials need. */
  refusedMessage: string;
  /** The 429 the API answers (its body), honoured through its Retry-After. */
  rateLimited: FakeAnswer['body'];
  /** The TTL of the capability checks (at least the API's minimum). */
  ttl: number;
  shapes?: ShapeOptions;
  /** Shapes from the API's documentation that the recordings lack, in the conformance suite and in the capability checks. */
  unrecorded?: { conformance?: string[]; capabilities?: string[] };
}

const signal = () => AbortSignal.timeout(15_000);

/**
 * What the issue asks of each cassette-built HTTP provider, in one place so the providers are
 * tested alike: the conformance suite and the capability checks against the fake, then no
 * request whose shape the recordings contradict (exactly the listed, documented exceptions), an
 * unknown zone, refused credentials, and a 429 waited out.
 */
export function describeApiProvider<F extends FakeApi>(s: ApiProviderSuite<F>): void {
  const recorded = loadCassettes(s.cassettes);
  let conformance: F | undefined;
  let capabilities: F | undefined;
  describeProviderConformance(`${s.cassettes} (against a fake built from the recorded API)`, async () => {
    conformance = await (s.startForConformance ?? s.start)();
    return { provider: s.provider(conformance), zone: 'example.test', txt: (f) => Promise.resolve(conformance!.txt(f)), stop: () => Promise.resolve() };
  });
  describeProviderCapabilities(s.cassettes, async () => {
    capabilities = await s.start();
    return { provider: s.provider(capabilities), zone: 'example.test', ttl: s.ttl, txt: (f) => capabilities!.txt(f), stop: () => Promise.resolve() };
  });

  describe(`${s.cassettes}: recorded shapes and failures`, () => {
    let fake: F;
    beforeAll(async () => { fake = await s.start(); });
    afterAll(async () => {
      await fake?.stop();
      await conformance?.stop();
      await capabilities?.stop();
    });

    it('no request has a shape the recordings contradict, but the documented ones listed', () => {
      expect(conformance!.api.seen.length).toBeGreaterThan(20);
      expect(shapeContradictions(recorded, conformance!.api.seen, s.shapes).sort()).toEqual([...s.unrecorded?.conformance ?? []].sort());
      expect(shapeContradictions(recorded, capabilities!.api.seen, s.shapes).sort()).toEqual([...s.unrecorded?.capabilities ?? []].sort());
    });

    it('an unknown zone is DNS_ZONE_NOT_FOUND; refused credentials are DNS_AUTH, without them', async () => {
      const txt = { name: '_acme-challenge', type: 'TXT', data: 'v', ttl: s.ttl };
      await expect(s.provider(fake).appendRecords('other.test', [txt], signal())).rejects.toMatchObject({ code: 'DNS_ZONE_NOT_FOUND' });
      const bad = s.refused(fake);
      const err = await bad.provider.appendRecords('example.test', [txt], signal()).then(() => undefined, (e: unknown) => e as Error);
      expect(err).toMatchObject({ code: 'DNS_AUTH' });
      expect(err?.message).toContain(s.refusedMessage);
      for (const secret of bad.secrets) expect(err?.message).not.toContain(secret);
    });

    it('waits out a 429 with its Retry-After', async () => {
      const txt = { name: '_acme-challenge.slow', type: 'TXT', data: 'v', ttl: s.ttl };
      fake.api.inject({ times: 1, status: 429, headers: { 'retry-after': '1' }, body: s.rateLimited });
      expect(await s.provider(fake).appendRecords('example.test', [txt], signal())).toEqual([txt]);
      expect(fake.txt('_acme-challenge.slow.example.test')).toEqual(['v']);
    });
  });
}
