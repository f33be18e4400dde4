// make bench (ExternalDNS webhook part): GET /records on a PowerDNS zone of 5,000 records.
import { PowerDnsProvider } from '../dist/dns/powerdns.js';
import { startWebhookServer } from '../dist/externaldns/webhook-server.js';
import { WebhookService } from '../dist/externaldns/webhook-service.js';
import { createLogger } from '../dist/log.js';
import { startPowerDns } from '../build/test/support/powerdns-server.js';
import { benchDate, machine, writeBenchSection } from './bench-report.mjs';

const N = 5000;
const ROUNDS = 20;
const pdns = await startPowerDns(['bench.test']);
let server;
try {
  const backend = new PowerDnsProvider({ id: 'pdns', apiUrl: pdns.apiUrl, apiKey: pdns.apiKey, serverId: 'localhost' });
  // 5,000 records: 2,500 A (two targets each half the time) and 2,500 ownership TXT, written in batches.
  for (let i = 0; i < N / 2; i += 500) {
    const records = [];
    for (let j = i; j < i + 500; j++) {
      for (const ip of j % 2 ? ['192.0.2.1', '192.0.2.2'] : ['192.0.2.1']) records.push({ name: `host${j}`, type: 'A', ttl: 300, data: ip });
      records.push({ name: `a-host${j}`, type: 'TXT', ttl: 300, data: `heritage=external-dns,external-dns/owner=bench,external-dns/resource=service/default/s${j}` });
    }
    await backend.setRecords('bench.test', records, AbortSignal.timeout(120_000));
  }
  const log = createLogger({ format: 'json', level: 'error' });
  server = await startWebhookServer(new WebhookService(backend, { include: ['bench.test'] }, 300, log), { listen: '127.0.0.1:0', healthListen: '127.0.0.1:0', ratePerSecond: 1000 }, log);
  const times = [];
  let count = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    const res = await fetch(`${server.address}/records`);
    count = (await res.json()).length;
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const p50 = times[Math.floor(ROUNDS / 2)];
  const p95 = times[Math.ceil(ROUNDS * 0.95) - 1];
  console.log(`webhook GET /records, PowerDNS zone of ${N} records (${count} endpoints): p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms over ${ROUNDS} requests`);
  const section = `## ExternalDNS webhook (\`make bench\`)

${benchDate()} — ${machine()}. \`GET /records\` through the webhook on a PowerDNS 4.7 (sqlite3) zone of ${N} records (${N / 2} A, half of them with two targets, and ${N / 2} ownership TXT), loopback, ${ROUNDS} requests.

| measure | result | bar |
| --- | --- | --- |
| GET /records, p50 | ${p50.toFixed(1)} ms | ≤ 300 ms |
| GET /records, p95 | ${p95.toFixed(1)} ms | — |`;
  await writeBenchSection('webhook-bench', section);
} finally {
  await server?.close();
  await pdns.stop();
}
