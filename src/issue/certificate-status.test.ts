import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config/load-config.js';
import { FakeCertificateStore } from '../../test/support/fake-certificate-store.js';
import { certificateStatus } from './certificate-status.js';

const config = parseConfig('acme: { directory: selfsigned }\nstore: { path: /nonexistent }\ndns:\n  providers:\n    none: { type: exec, command: [/bin/false] }\ncertificates:\n  - name: web\n    domains: [web.example.test]\n    dns: none\n', 'c.yaml');
const spec = config.certificates[0]!;
const signal = new AbortController().signal;

describe('certificateStatus', () => {
  it('reads what is stored and decides: none yet, then kept until its renewal time, then a change of CA is due', async () => {
    const store = new FakeCertificateStore();
    const now = Date.parse('2026-06-01T00:00:00Z');
    expect(await certificateStatus(store, spec, 'selfsigned', now, signal)).toMatchObject({ name: 'web', meta: undefined, decision: { due: true } });
    const lease = await store.lock('web', signal);
    await store.save({
      meta: { name: 'web', domains: spec.domains, keyType: spec.key_type, notBefore: '2026-05-31T00:00:00Z', notAfter: '2026-08-29T00:00:00Z', issuer: 'x', serial: '01', account: '', orderUrl: '', issuedAt: '2026-05-31T00:00:00Z', directory: 'selfsigned' },
      pem: { cert: '', chain: '', fullchain: '', privkey: '' },
    }, lease, signal);
    const kept = await certificateStatus(store, spec, 'selfsigned', now, signal);
    expect(kept.decision.due).toBe(false);
    expect(kept.meta?.version).toBe(1);
    expect((await certificateStatus(store, spec, 'https://ca.example/dir', now, signal)).decision.due).toBe(true);
  });
});
