import { describe, expect, it } from 'vitest';
import type { AcmeClient } from '../acme/acme-client.js';
import { AcmeProblem } from '../acme/problem.js';
import { captureLog } from '../../test/support/test-log.js';
import { FakeCertificateStore } from '../../test/support/fake-certificate-store.js';
import { ariKnownUnsupported, issuerKey, readAriHint, savePace } from './acme-account.js';
import { AcmeIssuer, newOrder, validated } from './acme-issuer.js';
import { ARI_UNSUPPORTED } from './issuer.js';

/** A client whose newOrder answers from a script and records each request. */
function scriptedClient(answers: (Error | 'ok')[]) {
  const requests: unknown[] = [];
  const client = {
    newOrder: (req: unknown) => {
      requests.push(req);
      const a = answers.shift();
      return a === 'ok' ? Promise.resolve({ url: 'https://ca/order/1', status: 'pending', identifiers: [], authorizations: [], finalize: '' }) : Promise.reject(a ?? new Error('unexpected call'));
    },
  } as unknown as AcmeClient;
  return { client, requests };
}

const alreadyReplaced = new AcmeProblem({ type: 'urn:ietf:params:acme:error:alreadyReplaced', detail: 'already replaced' }, 409, 'https://ca/new-order');

describe('newOrder with replaces', () => {
  it('sends replaces and profile', async () => {
    const { client, requests } = scriptedClient(['ok']);
    await newOrder({ domains: ['a.test'], profile: 'tlsserver', replaces: 'aki.serial' }, { client, log: captureLog().log }, AbortSignal.timeout(1000));
    expect(requests).toEqual([{ identifiers: [{ type: 'dns', value: 'a.test' }], profile: 'tlsserver', replaces: 'aki.serial' }]);
  });

  it('on alreadyReplaced, retries once without replaces', async () => {
    const { client, requests } = scriptedClient([alreadyReplaced, 'ok']);
    const cap = captureLog();
    await newOrder({ domains: ['a.test'], replaces: 'aki.serial' }, { client, log: cap.log }, AbortSignal.timeout(1000));
    expect(requests).toEqual([{ identifiers: [{ type: 'dns', value: 'a.test' }], replaces: 'aki.serial' }, { identifiers: [{ type: 'dns', value: 'a.test' }] }]);
    expect(cap.records().some((r) => r.msg === 'already_replaced')).toBe(true);
  });

  it('does not retry other errors, nor a second alreadyReplaced', async () => {
    const other = new AcmeProblem({ type: 'urn:ietf:params:acme:error:rateLimited', detail: 'slow down' }, 429, 'https://ca/new-order');
    const a = scriptedClient([other]);
    await expect(newOrder({ domains: ['a.test'], replaces: 'x.y' }, { client: a.client, log: captureLog().log }, AbortSignal.timeout(1000))).rejects.toBe(other);
    expect(a.requests).toHaveLength(1);
    const b = scriptedClient([alreadyReplaced, alreadyReplaced]);
    await expect(newOrder({ domains: ['a.test'], replaces: 'x.y' }, { client: b.client, log: captureLog().log }, AbortSignal.timeout(1000))).rejects.toBe(alreadyReplaced);
    expect(b.requests).toHaveLength(2);
  });
});

describe('validated', () => {
  it('says which authorizations are still pending at the start and while the CA validates, and stops once all are answered', async () => {
    const cap = captureLog();
    const pendingLines = () => cap.records().filter((r) => r.msg === 'acme_validation_pending');
    let release!: () => void;
    const slow = new Promise<void>((r) => { release = r; });
    // The wildcard stays pending until the wait has reported twice.
    // (and after 2 s in any case, so a wait that never reports fails on the assertions, not the test timeout).
    const watch = setInterval(() => { if (pendingLines().length >= 2) release(); }, 1);
    const guard = setTimeout(() => release(), 2_000);
    const answers = await validated([
      { identifier: 'example.test', wait: () => Promise.resolve('a') },
      { identifier: '*.example.test', wait: () => slow.then(() => 'b') },
    ], cap.log, 1).finally(() => { clearInterval(watch); clearTimeout(guard); });
    expect(answers).toEqual(['a', 'b']);
    expect(pendingLines()[0]).toMatchObject({ pending: ['example.test', '*.example.test'], of: 2, elapsed_s: 0 });
    expect(pendingLines().at(-1)).toMatchObject({ pending: ['*.example.test'], of: 2 });
    const after = pendingLines().length;
    await new Promise((r) => setTimeout(r, 20));
    expect(pendingLines()).toHaveLength(after);
  });
});

describe('ARI hint: a CA without renewalInfo is not asked again by the next process', () => {
  const directory = 'https://ca.test/dir';
  const DAY = 24 * 3600_000;
  /** A client that has fetched (or not) a directory with or without renewalInfo. */
  const clientWith = (dir: object | undefined) => ({ pace: { validation: 1000.4, issuance: 2000 }, knownDirectory: dir, directory: () => Promise.resolve(dir ?? { newNonce: '', newAccount: '', newOrder: '', revokeCert: '' }), renewalInfo: () => Promise.resolve({ window: 'from-ca' }), close: () => Promise.resolve() }) as unknown as AcmeClient;
  const issuerWith = (store: FakeCertificateStore, now: number, open: () => Promise<AcmeClient>) => new AcmeIssuer({
    directory, open, accounts: store, log: captureLog().log, now: () => now,
    solver: { present: () => Promise.reject(new Error('unused')), wait: () => Promise.reject(new Error('unused')), cleanup: () => Promise.resolve() },
  });
  const cert = { ariCertId: 'aki.serial', certPem: () => Promise.reject(new Error('unused')) };

  it('savePace keeps the pace and what the directory said of ARI, and keeps the time of an unchanged answer', async () => {
    const store = new FakeCertificateStore();
    await savePace(store, directory, clientWith({ newNonce: '' }), AbortSignal.timeout(1000), 1_000);
    expect(await readAriHint(store, directory, AbortSignal.timeout(1000))).toEqual({ served: false, seenAt: 1_000 });
    expect(JSON.parse((await store.readPace(issuerKey(directory)))!)).toMatchObject({ validation: 1000, issuance: 2000 });
    await savePace(store, directory, clientWith({ newNonce: '' }), AbortSignal.timeout(1000), 1_000 + DAY / 4);
    expect((await readAriHint(store, directory, AbortSignal.timeout(1000)))?.seenAt).toBe(1_000);
    // A client that never fetched the directory leaves the hint as it was.
    await savePace(store, directory, clientWith(undefined), AbortSignal.timeout(1000), 5_000);
    expect(await readAriHint(store, directory, AbortSignal.timeout(1000))).toEqual({ served: false, seenAt: 1_000 });
    await savePace(store, directory, clientWith({ renewalInfo: 'https://ca.test/ari' }), AbortSignal.timeout(1000), 9_000);
    expect(await readAriHint(store, directory, AbortSignal.timeout(1000))).toEqual({ served: true, seenAt: 9_000 });
  });

  it('trusts only a fresh "no ARI": not one a day old, from the future, or saying ARI is served', () => {
    expect(ariKnownUnsupported({ served: false, seenAt: 0 }, DAY - 1)).toBe(true);
    expect(ariKnownUnsupported({ served: false, seenAt: 0 }, DAY)).toBe(false);
    expect(ariKnownUnsupported({ served: false, seenAt: 10 }, 5)).toBe(false);
    expect(ariKnownUnsupported({ served: true, seenAt: 0 }, 1)).toBe(false);
    expect(ariKnownUnsupported(undefined, 1)).toBe(false);
  });

  it('renewalInfo answers "unsupported" without opening the account while the hint is fresh, and asks the CA once it is stale', async () => {
    const store = new FakeCertificateStore();
    await savePace(store, directory, clientWith({ newNonce: '' }), AbortSignal.timeout(1000), 1_000);
    let opened = 0;
    const open = () => { opened++; return Promise.resolve(clientWith({ newNonce: '' })); };
    expect(await issuerWith(store, 2_000, open).renewalInfo(cert, AbortSignal.timeout(1000))).toBe(ARI_UNSUPPORTED);
    expect(opened).toBe(0);
    expect(await issuerWith(store, 1_000 + DAY, open).renewalInfo(cert, AbortSignal.timeout(1000))).toBe(ARI_UNSUPPORTED);
    expect(opened).toBe(1);
    // No hint at all (a first run, or a pace file from before): the CA is asked.
    const fresh = new FakeCertificateStore();
    const served = { renewalInfo: 'https://ca.test/ari' };
    expect(await issuerWith(fresh, 2_000, () => Promise.resolve(clientWith(served))).renewalInfo(cert, AbortSignal.timeout(1000))).toEqual({ window: 'from-ca' });
  });
});
