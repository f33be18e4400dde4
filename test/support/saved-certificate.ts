import type { CertificateMeta, LocalCertificateDirectory, PemFile, StoredCertificate } from '../../src/store/certificate-store.js';
import type { CertificateEvent } from '../../src/deploy/deploy-action.js';
import { FileStore } from '../../src/store/file-store.js';

/** A FileStore at `root` holding one certificate, saved as the pipeline saves (under its lease). */
export async function savedCertificate(root: string, pem: Record<PemFile, string>, meta: Partial<Omit<CertificateMeta, 'version'>> = {}): Promise<{ store: FileStore; certificate: StoredCertificate }> {
  const store = new FileStore({ root });
  const now = new Date().toISOString();
  const full = { name: 'web', domains: ['web.example.test'], keyType: 'ecdsa-p256', notBefore: now, notAfter: now, issuer: 'x', serial: '1', account: '', orderUrl: '', issuedAt: now, ...meta };
  const signal = AbortSignal.timeout(10_000);
  await using lease = await store.lock(full.name, signal);
  const saved = await store.save({ meta: full, pem }, lease, signal);
  return { store, certificate: { meta: saved, pem } };
}

/** An `issued` event for a certificate saved in a FileStore at `root` (the PEMs are placeholders). */
export async function savedEvent(root: string): Promise<CertificateEvent> {
  const { store, certificate } = await savedCertificate(root, { cert: 'cert', chain: 'chain', fullchain: 'fullchain', privkey: 'key' });
  return { event: 'issued', name: 'web', domains: ['web.example.test'], profile: 'home', certificate, local: store };
}

/** The directory store's `live/` at `root` as a LocalCertificateDirectory (it may hold nothing yet). */
export function localDirectory(root: string): LocalCertificateDirectory {
  return new FileStore({ root });
}
