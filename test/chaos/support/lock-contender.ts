/**
 * A child process for the stale-lock chaos test (bundled by bundle-script.ts, run with node):
 *   hold <root> <name>                 takes the lock, prints "locked", and waits to be killed
 *   contend <root> <name> <round> <orders-file>
 *       takes the lock; unless the certificate is already at <round>, "orders" one (a line in
 *       <orders-file>) and saves it, as the renewer does; prints {"waitedMs","ordered"}.
 */
import { appendFile } from 'node:fs/promises';
import { FileStore } from '../../../src/store/file-store.js';

const [mode, root, name, round, orders] = process.argv.slice(2) as [string, string, string, string?, string?];
const store = new FileStore({ root, staleLockMs: 60_000 });
const started = performance.now();
const lease = await store.lock(name, AbortSignal.timeout(30_000));
const waitedMs = performance.now() - started;
if (mode === 'hold') {
  process.stdout.write('locked\n');
  setInterval(() => undefined, 1 << 30);
} else {
  let ordered = false;
  if ((await store.readMeta(name, AbortSignal.timeout(30_000)))?.serial !== round) {
    ordered = true;
    await appendFile(orders!, `${round} ${process.pid}\n`);
    await store.save({
      meta: { name, domains: ['example.test'], keyType: 'ecdsa-p256', notBefore: '', notAfter: '', issuer: '', serial: round!, account: '', orderUrl: '', issuedAt: '' },
      pem: { cert: `cert ${round}`, chain: 'chain', fullchain: 'full', privkey: 'key' },
    }, lease, AbortSignal.timeout(30_000));
  }
  await lease[Symbol.asyncDispose]();
  process.stdout.write(`${JSON.stringify({ waitedMs, ordered })}\n`);
}
