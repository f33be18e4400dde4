import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config/load-config.js';
import type { DeployRunner } from '../issue/renewer.js';
import type { CertificateMeta, Lease, NewCertificate, StoredCertificate } from '../store/certificate-store.js';
import { FakeCertificateStore } from '../../test/support/fake-certificate-store.js';
import { FakeFleetStore } from '../../test/support/fake-fleet-store.js';
import { captureLog } from '../../test/support/test-log.js';
import { DeliveryLedger } from './delivery-ledger.js';
import { FleetDelivery } from './fleet-delivery.js';
import { savingLocally } from './local-save-store.js';

const config = parseConfig('acme: { directory: selfsigned }\nstore: { path: /nonexistent }\ndns:\n  providers:\n    none: { type: exec, command: [/bin/false] }\ncertificates:\n  - name: web\n    domains: [web.example.test]\n    dns: none\n', 'c.yaml');
const spec = config.certificates[0]!;
const never = () => new AbortController().signal;

/** A save as the shared store commits it: the version in the fake store and the fleet's NOTIFY. */
class SharedStore extends FakeCertificateStore {
  constructor(readonly fleet: FakeFleetStore) { super(); }
  override async save(cert: NewCertificate, lease: Lease, signal?: AbortSignal): Promise<CertificateMeta> {
    const meta = await super.save(cert, lease, signal);
    this.fleet.publish({ name: meta.name, version: meta.version });
    return meta;
  }
}

function pem(version: number): StoredCertificate['pem'] {
  return { cert: `cert${version}`, chain: '', fullchain: `cert${version}`, privkey: `key${version}` };
}

function rig() {
  const fleet = new FakeFleetStore('host-b');
  const store = new SharedStore(fleet);
  const ledger = new DeliveryLedger();
  const cap = captureLog();
  /** Versions written to this host's live/, in order; `failWrites` makes the next writes fail. */
  const written: number[] = [];
  const local = { failWrites: 0, write(cert: StoredCertificate) {
    if (local.failWrites > 0) { local.failWrites--; return Promise.reject(new Error('disk full')); }
    written.push(cert.meta.version);
    return Promise.resolve(store.paths(cert.meta.name));
  } };
  const deployed: { event: string; version: number }[] = [];
  const deploy: DeployRunner = { run: (_s, event, cert) => { deployed.push({ event, version: cert.meta.version }); return Promise.resolve([]); } };
  const results: string[] = [];
  const saved: number[] = [];
  const delivery = new FleetDelivery({
    fleet, store, local, deploy, ledger, log: cap.log, spec: (n) => (n === 'web' ? spec : undefined),
    onSaved: (c) => saved.push(c.version), onDelivery: (r) => results.push(r), backoff: { minMs: 1, maxMs: 4 },
  });
  const own = savingLocally(store, { local, fleet, ledger, log: cap.log, retry: (n, v) => delivery.retry(n, v) });
  return { fleet, store, ledger, cap, local, written, deployed, results, saved, delivery, own };
}

/** Another host's save: in the shared store, and its notification. */
async function saveElsewhere(r: ReturnType<typeof rig>, name = 'web'): Promise<number> {
  await using lease = await r.store.lock(name, never());
  const version = (r.store.certs.get(name)?.meta.version ?? 0) + 1;
  const meta = { name, domains: ['web.example.test'], keyType: 'ecdsa-p256', notBefore: '', notAfter: '', issuer: '', serial: '', account: '', orderUrl: '', issuedAt: '' };
  await r.store.save({ meta, pem: pem(version) }, lease, never());
  return version;
}

describe('FleetDelivery', () => {
  it('another host\'s save: loaded, written here, deployed, recorded as delivered; the daemon is told to reschedule', async () => {
    const r = rig();
    await r.delivery.start(never());
    await saveElsewhere(r);
    await r.delivery.settled();
    expect(r.written).toEqual([1]);
    expect(r.deployed).toEqual([{ event: 'issued', version: 1 }]);
    expect(r.fleet.delivered.get('host-b')?.get('web')).toBe(1);
    expect(r.saved).toEqual([1]);
    expect(r.results).toEqual(['delivered']);
    expect(r.delivery.behind).toBe(0);
    expect(r.delivery.connected).toBe(true);
  });

  it('catches up at start and at every reconnect with one undelivered() query; what came while down is delivered', async () => {
    const r = rig();
    await saveElsewhere(r); // before this host listened: its notification is lost
    await r.delivery.start(never());
    await r.delivery.settled();
    expect(r.written).toEqual([1]);
    r.fleet.connection(false);
    expect(r.delivery.connected).toBe(false);
    r.fleet.current.set('web', 2);
    r.store.certs.set('web', { meta: { ...r.store.certs.get('web')!.meta, version: 2 }, pem: pem(2) });
    r.fleet.connection(true);
    await r.delivery.settled();
    expect(r.written).toEqual([1, 2]);
    expect(r.deployed.map((d) => [d.event, d.version])).toEqual([['issued', 1], ['renewed', 2]]);
    expect(r.fleet.queries.filter((q) => q === 'undelivered')).toHaveLength(2);
  });

  it('the renewing host\'s own save is written here inside the save, before the pipeline deploys; its notification finds nothing to do', async () => {
    const r = rig();
    await r.delivery.start(never());
    await using lease = await r.store.lock('web', never());
    const meta = { name: 'web', domains: ['web.example.test'], keyType: 'ecdsa-p256', notBefore: '', notAfter: '', issuer: '', serial: '', account: '', orderUrl: '', issuedAt: '' };
    const saved = await r.own.save({ meta, pem: pem(1) }, lease, never());
    // When save returns (the pipeline's deploy step comes next), the files are this version's.
    expect(r.written).toEqual([1]);
    await r.delivery.settled();
    expect(saved.version).toBe(1);
    expect(r.written).toEqual([1]);
    expect(r.deployed).toEqual([]); // the pipeline deploys, once; the delivery does not
    expect(r.saved).toEqual([]); // nor is the pipeline's own schedule moved
    expect(r.fleet.queries.filter((q) => q.startsWith('mark'))).toEqual(['mark web@1']);
    // The wrapper is the store for everything else.
    expect(await r.own.readMeta('web', never())).toMatchObject({ version: 1 });
  });

  it('a failed write is logged and retried with backoff; the old files stay until it succeeds', async () => {
    const r = rig();
    await r.delivery.start(never());
    r.local.failWrites = 2;
    await saveElsewhere(r);
    expect(r.delivery.behind).toBe(1);
    await r.delivery.settled();
    expect(r.written).toEqual([1]);
    expect(r.deployed).toHaveLength(1);
    expect(r.results).toEqual(['failed', 'failed', 'delivered']);
    expect(r.cap.records().filter((l) => l.msg === 'fleet_delivery_failed').map((l) => l.attempt)).toEqual([1, 2]);
    expect(r.delivery.behind).toBe(0);
  });

  it('the own save\'s failed local write refuses to report success (no deploy on old files) and the delivery writes and deploys it later', async () => {
    const r = rig();
    await r.delivery.start(never());
    r.local.failWrites = 1;
    await using lease = await r.store.lock('web', never());
    const meta = { name: 'web', domains: ['web.example.test'], keyType: 'ecdsa-p256', notBefore: '', notAfter: '', issuer: '', serial: '', account: '', orderUrl: '', issuedAt: '' };
    await expect(r.own.save({ meta, pem: pem(1) }, lease, never())).rejects.toMatchObject({ code: 'STORE_IO', message: expect.stringMatching(/saved in the shared store but this host's live\/ could not be written/) });
    await r.delivery.settled();
    expect(r.written).toEqual([1]);
    expect(r.deployed).toEqual([{ event: 'issued', version: 1 }]);
  });

  it('versions land in order: a newer one is never overwritten by an older delivery', async () => {
    const r = rig();
    await r.delivery.start(never());
    await Promise.all([saveElsewhere(r), saveElsewhere(r), saveElsewhere(r)]);
    await r.delivery.settled();
    expect(r.written.at(-1)).toBe(3);
    expect([...r.written].sort()).toEqual(r.written);
    expect(r.fleet.delivered.get('host-b')?.get('web')).toBe(3);
  });

  it('a certificate not configured here is written but not deployed; managed changes are passed on', async () => {
    const r = rig();
    const managed: string[] = [];
    const d = new FleetDelivery({ fleet: r.fleet, store: r.store, local: r.local, deploy: { run: () => Promise.reject(new Error('no deploy')) }, ledger: new DeliveryLedger(), log: r.cap.log, spec: () => undefined, onManagedChanged: (n) => managed.push(n) });
    await d.start(never());
    await saveElsewhere(r, 'other');
    r.fleet.managed('api-1');
    await d.settled();
    expect(r.written).toEqual([1]);
    expect(managed).toEqual(['api-1']);
  });

  it('stops retrying once its signal fires', async () => {
    const r = rig();
    const stop = new AbortController();
    await r.delivery.start(stop.signal);
    r.local.failWrites = 1_000;
    await saveElsewhere(r);
    stop.abort();
    await r.delivery.settled();
    expect(r.written).toEqual([]);
    expect(r.fleet.watching).toBe(0);
  });
});
