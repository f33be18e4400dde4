import { describe, expect, it } from 'vitest';
import type { AcmeClient } from '../acme/acme-client.js';
import { AcmeProblem } from '../acme/problem.js';
import { captureLog } from '../../test/support/test-log.js';
import { newOrder } from './acme-issuer.js';

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
