import { afterAll, describe, expect, it } from 'vitest';
import { Rfc2136Provider } from '../src/dns/rfc2136/rfc2136-provider.js';
import type { Endpoint } from '../src/externaldns/endpoint.js';
import { webhookClient } from './support/webhook-round-trip.js';
import { startWebhookServer } from '../src/externaldns/webhook-server.js';
import { WebhookService } from '../src/externaldns/webhook-service.js';
import { startBind, startKnot, type UpdateDnsServer } from './support/update-dns-servers.js';
import { captureLog } from './support/test-log.js';

const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => { for (const c of cleanup.reverse()) await c(); });

// RFC 2136 serves ExternalDNS too: records read by AXFR with TSIG, change sets written as one UPDATE.
describe.each([
  ['BIND 9', () => startBind(['example.test'], undefined, [], '')],
  ['Knot', () => startKnot(['example.test'])],
] as const)('ExternalDNS webhook over RFC 2136 against %s', (_label, start) => {
  it('round trip: A with two targets, AAAA, quoted TXT, CNAME, MX; empty second plan; update; delete', async () => {
    const ns: UpdateDnsServer = await start();
    cleanup.push(ns.stop);
    const backend = new Rfc2136Provider({ id: 'ns', server: ns.address, key: { name: ns.key.name, algorithm: ns.key.algorithm, secret: Buffer.from(ns.key.secret, 'base64') } });
    const cap = captureLog();
    const server = await startWebhookServer(new WebhookService(backend, { include: ['example.test'] }, 300, cap.log), { listen: '127.0.0.1:0', healthListen: '127.0.0.1:0', ratePerSecond: 1000 }, cap.log);
    cleanup.push(() => server.close());
    const { post, records } = webhookClient(server.address);

    const desired: Endpoint[] = [
      { dnsName: 'www.example.test', recordType: 'A', targets: ['192.0.2.1', '192.0.2.2'] },
      { dnsName: 'www.example.test', recordType: 'AAAA', targets: ['2001:db8:0:0:0:0:0:1'] },
      { dnsName: 'a-www.example.test', recordType: 'TXT', targets: ['"heritage=external-dns,external-dns/owner=k8s,external-dns/resource=service/default/web"'] },
      { dnsName: 'alias.example.test', recordType: 'CNAME', targets: ['www.example.test'] },
      { dnsName: 'example.test', recordType: 'MX', targets: ['10 mail.example.test'] },
      // BIND refuses an MX whose target has no address (check-integrity): give it one in the same change set.
      { dnsName: 'mail.example.test', recordType: 'A', targets: ['192.0.2.25'] },
    ];
    const adjusted = await (await post('/adjustendpoints', desired)).json() as Endpoint[];
    expect(adjusted.find((e) => e.recordType === 'AAAA')!.targets).toEqual(['2001:db8::1']);
    const applied = await post('/records', { create: adjusted });
    expect(applied.status, `${await applied.clone().text()}\n${ns.output().split('\n').slice(-8).join('\n')}`).toBe(204);
    const current = await records();
    for (const d of adjusted) {
      const c = current.find((e) => e.dnsName === d.dnsName && e.recordType === d.recordType);
      expect(c, `${d.dnsName!} ${d.recordType!}`).toBeDefined();
      // adjustendpoints wrote the AAAA in RFC 5952 form, as the zone gives it back: equal, so no flapping.
      expect([...c!.targets!].sort()).toEqual(d.targets);
      expect(c!.recordTTL).toBe(300);
    }
    expect(current.filter((e) => e.dnsName === 'www.example.test' && e.recordType === 'A')).toHaveLength(1);

    const a = current.find((e) => e.recordType === 'A')!;
    expect((await post('/records', { updateOld: [a], updateNew: [{ ...a, targets: ['192.0.2.3'] }], delete: [current.find((e) => e.recordType === 'CNAME')] })).status).toBe(204);
    const after = await records();
    expect(after.find((e) => e.recordType === 'A')!.targets).toEqual(['192.0.2.3']);
    expect(after.find((e) => e.recordType === 'CNAME')).toBeUndefined();
    expect(await ns.txt('a-www.example.test')).toEqual(['heritage=external-dns,external-dns/owner=k8s,external-dns/resource=service/default/web']);
  });
});
