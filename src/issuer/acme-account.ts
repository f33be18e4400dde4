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
async function readPace(accounts: AccountStore, key: string, signal: AbortSignal): Promise<Partial<AcmePace> & { ari?: unknown }> {
  try {
    const pace = JSON.parse((await accounts.readPace(key, signal)) ?? '{}') as Partial<AcmePace>;
    return typeof pace === 'object' && pace !== null ? pace : {};
  } catch {
    return {};
  }
}

/**
 * Whether the CA's directory offered renewalInfo (ARI) when it was last fetched, and when: kept
 * beside the pace, so a one-shot `certfleet issue` with nothing due does not open the account
 * and fetch the directory only to learn, again, that this CA has no ARI.
 */
export interface AriHint {
  served: boolean;
  /** Epoch ms of the directory fetch that said so. */
  seenAt: number;
}

/** A hint younger than this is trusted; ARI is advice, and a CA that starts serving it is seen within a day. */
export const ARI_HINT_MS = 24 * 3600_000;

export async function readAriHint(accounts: AccountStore, directory: string, signal: AbortSignal): Promise<AriHint | undefined> {
  return hintOf(await readPace(accounts, issuerKey(directory), signal));
}

function hintOf({ ari }: { ari?: unknown }): AriHint | undefined {
  if (typeof ari !== 'object' || ari === null) return undefined;
  const { served, seen_at: seenAt } = ari as Record<string, unknown>;
  return typeof served === 'boolean' && typeof seenAt === 'number' && Number.isFinite(seenAt) ? { served, seenAt } : undefined;
}

/** A hint that says, fresh as of `now`, that this CA has no ARI. */
export function ariKnownUnsupported(hint: AriHint | undefined, now: number): boolean {
  return hint !== undefined && !hint.served && hint.seenAt <= now && now - hint.seenAt < ARI_HINT_MS;
}

/**
 * Keeps the client's learned pace for the next process, so a one-shot `certfleet issue` polls a
 * slow CA as rarely, and a fast one as soon, as a long-running daemon does; and, when this
 * process fetched the directory, whether it offered ARI (see AriHint).
 */
export async function savePace(accounts: AccountStore, directory: string, client: AcmeClient, signal: AbortSignal, now = Date.now()): Promise<void> {
  const key = issuerKey(directory);
  const stored = await readPace(accounts, key, signal);
  const rounded: Record<string, unknown> = Object.fromEntries(Object.entries(client.pace).map(([k, v]) => [k, Math.round(v)]));
  const dir = client.knownDirectory;
  const previous = hintOf(stored);
  if (dir) {
    const served = dir.renewalInfo !== undefined;
    // The same answer seen again keeps its time for half the hint's life: no write on every run.
    const seenAt = previous?.served === served && previous.seenAt <= now && now - previous.seenAt < ARI_HINT_MS / 2 ? previous.seenAt : now;
    rounded.ari = { served, seen_at: seenAt };
  } else if (stored.ari !== undefined) {
    rounded.ari = stored.ari;
  }
  if (JSON.stringify(stored) === JSON.stringify(rounded)) return;
  await accounts.writePace(key, `${JSON.stringify(rounded)}\n`, signal);
}
