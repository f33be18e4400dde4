import { createHash } from 'node:crypto';
import { AcmeClient, type AcmeClientOptions, type AcmePace } from '../acme/acme-client.js';
import { generatePrivateKey, parsePrivateKey, privateKeyPem } from '../acme/keys.js';
import type { AccountStore } from '../store/certificate-store.js';

/** Namespaces account state by CA: staging never shares an account (or files) with production. */
export function issuerKey(directoryUrl: string): string {
  const url = new URL(directoryUrl);
  return `${url.hostname}-${url.port || '443'}-${createHash('sha256').update(directoryUrl).digest('hex').slice(0, 10)}`;
}

export interface AccountSettings {
  directory: string;
  email?: string | undefined;
  eab?: { kid: string; hmac_key: string } | undefined;
  caBundle?: string | undefined;
}

/** An AcmeClient with its account: the key is created once and kept in the account store. */
export async function openAccount(
  accounts: AccountStore,
  acme: AccountSettings,
  signal: AbortSignal,
  clientOptions: Pick<AcmeClientOptions, 'onRequest' | 'log'> = {},
): Promise<AcmeClient> {
  const key = issuerKey(acme.directory);
  let saved = await accounts.readAccount(key, signal);
  if (!saved) {
    const pem = privateKeyPem(await generatePrivateKey('ecdsa-p256'));
    try {
      await accounts.writeAccount(key, { keyPem: pem }, signal);
    } catch (err) {
      // Another process created it first: use theirs.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    saved = await accounts.readAccount(key, signal);
  }
  const client = new AcmeClient({
    directoryUrl: acme.directory,
    accountKey: parsePrivateKey(saved!.keyPem),
    ...(acme.caBundle ? { caBundle: acme.caBundle } : {}),
    pace: await readPace(accounts, key, signal),
    ...clientOptions,
  });
  if (saved!.url) {
    client.useAccount(saved!.url);
    return client;
  }
  const url = await client.ensureAccount({
    ...(acme.email ? { email: acme.email } : {}),
    ...(acme.eab ? { eab: { kid: acme.eab.kid, hmacKey: acme.eab.hmac_key } } : {}),
  }, signal);
  await accounts.writeAccount(key, { url }, signal);
  return client;
}

/** What the CA took to validate and issue last time; advisory, so anything unreadable is none. */
async function readPace(accounts: AccountStore, key: string, signal: AbortSignal): Promise<Partial<AcmePace>> {
  try {
    const pace = JSON.parse((await accounts.readPace(key, signal)) ?? '{}') as Partial<AcmePace>;
    return typeof pace === 'object' && pace !== null ? pace : {};
  } catch {
    return {};
  }
}

/**
 * Keeps the client's learned pace for the next process, so a one-shot `certfleet issue` polls a
 * slow CA as rarely, and a fast one as soon, as a long-running daemon does.
 */
export async function savePace(accounts: AccountStore, directory: string, client: AcmeClient, signal: AbortSignal): Promise<void> {
  const rounded = Object.fromEntries(Object.entries(client.pace).map(([k, v]) => [k, Math.round(v)]));
  const key = issuerKey(directory);
  if (JSON.stringify(await readPace(accounts, key, signal)) === JSON.stringify(rounded)) return;
  await accounts.writePace(key, `${JSON.stringify(rounded)}\n`, signal);
}
