import type { AccountStore, CertificateStore, Lease, LocalCertificateDirectory } from '../store/certificate-store.js';
import type { FileStore } from '../store/file-store.js';

/** The directory store seen through the store seam: what the pipeline, issuers and solver are given. */
export interface StoreSeams {
  store: CertificateStore;
  accounts: AccountStore;
  local: Pick<LocalCertificateDirectory, 'paths'>;
}

const PACE_FILE = 'pace.json';
const CA_FILE = 'ca.pem';

/**
 * FileStore as the seam's interfaces, until FileStore implements them itself (branch i14-store):
 * then this file goes and the composition root passes the FileStore. Versions and fencing tokens
 * are not kept here; FileStore's own lock and its heldLocks check still guard its saves.
 */
export function fileStoreSeams(fs: FileStore): StoreSeams {
  let grants = 0n;
  const lease = async (taken: Promise<AsyncDisposable & { signal: AbortSignal }>): Promise<Lease> => {
    const held = await taken;
    const release = async () => {
      await held[Symbol.asyncDispose]();
    };
    return { token: ++grants, signal: held.signal, release, [Symbol.asyncDispose]: release };
  };
  const store: CertificateStore = {
    load: (name) => fs.load(name),
    readMeta: (name) => fs.readMeta(name),
    list: () => fs.list(),
    save: async (cert, _lease, signal) => {
      await fs.save(cert, signal);
      return (await fs.readMeta(cert.meta.name))!;
    },
    lock: (name, signal) => lease(fs.lock(name, signal)),
    lockTxtName: (fqdn, signal) => lease(fs.lockTxtName(fqdn, signal)),
    readState: async (name) => ({ state: await fs.readState(name), version: 0 }),
    writeState: async (name, state) => {
      await fs.writeState(name, state);
      return { state, version: 0 };
    },
    preflight: (name, signal) => fs.preflight(name, signal),
    sweep: (signal) => fs.sweep(signal),
    writable: () => fs.writable(),
  };
  const accounts: AccountStore = {
    readAccount: (key) => fs.readAccount(key),
    writeAccount: (key, data) => fs.writeAccount(key, data),
    readPace: (key) => fs.readAccountFile(key, PACE_FILE),
    writePace: (key, json) => fs.writeAccountFile(key, PACE_FILE, json),
    readIssuerCertificate: (key) => fs.readAccountFile(key, CA_FILE),
    writeIssuerCertificate: (key, pem) => fs.writeAccountFile(key, CA_FILE, pem),
  };
  return { store, accounts, local: { paths: (name) => fs.paths(name) } };
}
