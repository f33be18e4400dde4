import { CertfleetError, errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { CertificateMeta, CertificateStore, Lease, LocalCertificateDirectory, NewCertificate } from '../store/certificate-store.js';
import type { FleetStore } from '../store/fleet-store.js';
import type { DeliveryLedger } from './delivery-ledger.js';

export interface LocalSaveOptions {
  local: Pick<LocalCertificateDirectory, 'write'>;
  fleet: Pick<FleetStore, 'markDelivered'>;
  ledger: DeliveryLedger;
  log: Logger;
  /** Called when this host's copy could not be written or recorded: the fleet delivery retries it. */
  retry(name: string, version: number): void;
}

/**
 * The renewing host's save in fleet mode. A shared store's save writes only the database, and
 * the pipeline deploys from this host's live/ right after it: so the new version is written
 * here (and recorded as delivered) inside the save, before the pipeline's deploy step, in the
 * certificate's ledger queue. The `saved` notification of this save then finds it written.
 */
export function savingLocally(store: CertificateStore, o: LocalSaveOptions): CertificateStore {
  const save = (cert: NewCertificate, lease: Lease, signal: AbortSignal): Promise<CertificateMeta> => {
    const name = cert.meta.name;
    return o.ledger.serial(name, async () => {
      const meta = await store.save(cert, lease, signal);
      try {
        await o.local.write({ meta, pem: cert.pem }, signal);
      } catch (err) {
        // Saved for the fleet, not written here: no deploy on the old files; delivery retries.
        o.retry(name, meta.version);
        throw new CertfleetError('STORE_IO', `${name}: version ${meta.version} is saved in the shared store but this host's live/ could not be written (retried): ${errorMessage(err)}`);
      }
      o.ledger.record(name, meta.version);
      await o.fleet.markDelivered({ name, version: meta.version }, signal).then(() => o.ledger.recordMarked(name, meta.version), (err: unknown) => {
        o.log.warn({ cert: name, version: meta.version, error: errorMessage(err) }, 'fleet_mark_delivered_failed');
        o.retry(name, meta.version);
      });
      return meta;
    });
  };
  // Every other method is the store's own (bound: the class's private fields stay reachable).
  return new Proxy(store, {
    get(target, key, receiver) {
      if (key === 'save') return save;
      const value: unknown = Reflect.get(target, key, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
