import { createPrivateKey, type JsonWebKey } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { privateKeyPem } from '../../acme/keys.js';
import { errorMessage } from '../../errors.js';
import type { AccountStore } from '../../store/certificate-store.js';

/** A certbot ACME account: `accounts/<host[:port]>/<path>/<id>/{private_key.json,regr.json}`. */
export interface CertbotAccount {
  id: string;
  dir: string;
  keyPem: string;
  url: string;
}

/** The account `id` of `server` in the certbot store at `root`, or why it cannot be used. */
export async function readCertbotAccount(root: string, server: string, id: string, signal: AbortSignal): Promise<CertbotAccount | { problem: string }> {
  signal.throwIfAborted();
  const url = new URL(server);
  // certbot names the directory after the server URL without its scheme (netloc + path).
  const dir = path.join(root, 'accounts', url.host, ...url.pathname.split('/').filter(Boolean), id);
  try {
    const jwk = JSON.parse(await fs.readFile(path.join(dir, 'private_key.json'), { encoding: 'utf8', signal })) as JsonWebKey;
    const regr = JSON.parse(await fs.readFile(path.join(dir, 'regr.json'), { encoding: 'utf8', signal })) as { uri?: unknown };
    if (typeof regr.uri !== 'string' || !/^https:\/\//.test(regr.uri)) return { problem: `${dir}/regr.json names no account URL` };
    return { id, dir, keyPem: privateKeyPem(createPrivateKey({ key: jwk, format: 'jwk' })), url: regr.uri };
  } catch (err) {
    return { problem: `cannot read certbot's account ${id} in ${dir}: ${errorMessage(err)}` };
  }
}

/**
 * Makes certbot's account certfleet's account for the CA `issuerKey`, so renewals come from the
 * same ACME account (rate limits, CAA accounturi): only when certfleet has none for that CA yet;
 * an account it has is never replaced. Returns what happened, for the report.
 */
export async function adoptAccount(accounts: AccountStore, issuerKey: string, account: CertbotAccount, signal: AbortSignal): Promise<'adopted' | 'same' | 'kept'> {
  const existing = await accounts.readAccount(issuerKey, signal);
  if (existing) return existing.url === account.url ? 'same' : 'kept';
  // The key first (created exclusively), the URL after it: a kill between the two leaves a key
  // without a URL, which certfleet completes by asking the CA for the account of that key.
  await accounts.writeAccount(issuerKey, { keyPem: account.keyPem }, signal);
  await accounts.writeAccount(issuerKey, { url: account.url }, signal);
  return 'adopted';
}
