import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { AcmeClient, type AcmeClientOptions, type AcmePace } from '../acme/acme-client.js';
import { CertfleetError } from '../errors.js';
import { generatePrivateKey, parsePrivateKey, privateKeyPem } from '../acme/keys.js';
import type { Config } from '../config/schema.js';
import type { FileStore } from '../store/file-store.js';

/** Namespaces account state by CA: staging never shares an account (or files) with production. */
export function issuerKey(directoryUrl: string): string {
  const url = new URL(directoryUrl);
  return `${url.hostname}-${url.port || '443'}-${createHash('sha256').update(directoryUrl).digest('hex').slice(0, 10)}`;
}

/** An AcmeClient with its account: the key is created once and kept in the store (0600). */
export async function openAccount(
  store: FileStore,
  acme: { directory: string; email?: string | undefined; eab?: { kid: string; hmac_key: string } | undefined; caBundle?: string | undefined },
  signal: AbortSignal,
  clientOptions: Pick<AcmeClientOptions, 'onRequest' | 'log'> = {},
): Promise<AcmeClient> {
  const key = issuerKey(acme.directory);
  let saved = await store.readAccount(key);
  if (!saved) {
    const pem = privateKeyPem(await generatePrivateKey('ecdsa-p256'));
    try {
      await store.writeAccount(key, { keyPem: pem });
    } catch (err) {
      // Another process created it first: use theirs.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    saved = await store.readAccount(key);
  }
  const client = new AcmeClient({
    directoryUrl: acme.directory,
    accountKey: parsePrivateKey(saved!.keyPem),
    ...(acme.caBundle ? { caBundle: acme.caBundle } : {}),
    pace: await readPace(store, key),
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
  await store.writeAccount(key, { url });
  return client;
}

const PACE_FILE = 'pace.json';

/** What the CA took to validate and issue last time (accounts/<issuer>/pace.json); advisory. */
async function readPace(store: FileStore, key: string): Promise<Partial<AcmePace>> {
  try {
    const pace = JSON.parse((await store.readAccountFile(key, PACE_FILE)) ?? '{}') as Partial<AcmePace>;
    return typeof pace === 'object' && pace !== null ? pace : {};
  } catch {
    return {};
  }
}

/**
 * Keeps the client's learned pace for the next process, so a one-shot `certfleet issue` polls a
 * slow CA as rarely, and a fast one as soon, as a long-running daemon does.
 */
export async function savePace(store: FileStore, directory: string, client: AcmeClient): Promise<void> {
  const pace = client.pace;
  const rounded = Object.fromEntries(Object.entries(pace).map(([k, v]) => [k, Math.round(v)]));
  const key = issuerKey(directory);
  if (JSON.stringify(await readPace(store, key)) === JSON.stringify(rounded)) return;
  await store.writeAccountFile(key, PACE_FILE, `${JSON.stringify(rounded)}\n`);
}

/** openAccount for the config's `acme` section (reads `ca_bundle` from disk). */
export async function accountFromConfig(
  store: FileStore,
  acme: Config['acme'],
  signal: AbortSignal,
  clientOptions: Pick<AcmeClientOptions, 'onRequest' | 'log'> = {},
): Promise<AcmeClient> {
  if (acme.directory === 'selfsigned') throw new CertfleetError('ACME_BAD_RESPONSE', 'the self-signed development issuer has no ACME account (and no revocation)');
  const caBundle = acme.ca_bundle ? await readFile(acme.ca_bundle, 'utf8') : undefined;
  return openAccount(store, { directory: acme.directory, email: acme.email, eab: acme.eab && { kid: acme.eab.kid, hmac_key: acme.eab.hmac_key.reveal() }, caBundle }, signal, clientOptions);
}
