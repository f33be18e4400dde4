import { describe, expect, it } from 'vitest';
import type { AcmeClient } from '../acme/acme-client.js';
import { AcmeProblem } from '../acme/problem.js';
import { captureLog } from '../../test/support/test-log.js';
import { newOrder, validated } from './acme-issuer.js';

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
