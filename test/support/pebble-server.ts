import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { HttpPool } from '../../src/http/http-pool.js';
import { registerSecret } from './secret-scan.js';
import { freePort } from './free-port.js';
import { ProcessHandle, startWithRetry } from './process-handle.js';
import { removeTree } from './remove-tree.js';

const run = promisify(execFile);

export interface PebbleServer {
  directoryUrl: string;
  /** Pebble's management API (roots, intermediates). */
  managementUrl: string;
  /** PEM of the CA that signed pebble's own HTTPS certificate: the client's ca_bundle. */
  caBundlePath: string;
  caBundle: string;
  eab?: { kid: string; hmacKey: string };
  stop(): Promise<void>;
  /**
   * Stops pebble with SIGQUIT, on which a Go program prints every goroutine's stack, and returns
   * that output: what each of its handlers waits for when it stops answering (pebble 2.4 has a
   * lock-order deadlock under load, see docs/benchmarks.md).
   */
  quitWithStacks(): Promise<string>;
}

export interface PebbleOptions {
  dnsServer: string;
  requireEab?: boolean;
  env?: Record<string, string>;
}

/** Debian's pebble (-strict) on free loopback ports, validating DNS-01 against `dnsServer`. */
export function startPebble(opts: PebbleOptions): Promise<PebbleServer> {
  return startWithRetry(() => startOnce(opts));
}

async function startOnce(opts: PebbleOptions): Promise<PebbleServer> {
  const dir = await mkdtemp(path.join(tmpdir(), 'certfleet-pebble-'));
  const f = (n: string) => path.join(dir, n);
  // A throwaway CA and server certificate for pebble's HTTPS listener.
  await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-subj', '/CN=certfleet test CA', '-keyout', f('ca.key'), '-out', f('ca.pem')]);
  await run('openssl', ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=localhost', '-keyout', f('key.pem'), '-out', f('csr.pem')]);
  await writeFile(f('ext.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  await run('openssl', ['x509', '-req', '-in', f('csr.pem'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', f('ext.cnf'), '-out', f('cert.pem')]);
  const [port, mgmt] = [await freePort(), await freePort()];
  const eab = opts.requireEab ? { kid: 'kid-1', hmacKey: Buffer.from('certfleet-test-eab-hmac-key-0123456789').toString('base64url') } : undefined;
  if (eab) registerSecret(eab.hmacKey);
  await writeFile(f('pebble.json'), JSON.stringify({
    pebble: {
      listenAddress: `127.0.0.1:${port}`,
      managementListenAddress: `127.0.0.1:${mgmt}`,
      certificate: f('cert.pem'),
      privateKey: f('key.pem'),
      httpPort: 5002,
      tlsPort: 5001,
      ocspResponderURL: '',
      externalAccountBindingRequired: Boolean(eab),
      ...(eab ? { externalAccountMACKeys: { [eab.kid]: eab.hmacKey } } : {}),
    },
  }));
  const proc = ProcessHandle.start('pebble', '/usr/bin/pebble', ['-strict', '-config', f('pebble.json'), '-dnsserver', opts.dnsServer], {
    PEBBLE_VA_NOSLEEP: '1',
    // Tests must see every challenge; a real CA may reuse valid authorizations.
    PEBBLE_AUTHZREUSE: '0',
    ...opts.env,
  });
  const caBundle = await readFile(f('ca.pem'), 'utf8');
  const directoryUrl = `https://127.0.0.1:${port}/dir`;
  const pool = new HttpPool({ ca: caBundle });
  try {
    await proc.waitReady(async () => (await pool.request('GET', directoryUrl, { signal: AbortSignal.timeout(2000) })).status === 200);
  } catch (err) {
    await proc.stop();
    await removeTree(dir);
    throw err;
  } finally {
    pool.close();
  }
  return {
    directoryUrl,
    managementUrl: `https://127.0.0.1:${mgmt}`,
    caBundlePath: f('ca.pem'),
    caBundle,
    ...(eab ? { eab } : {}),
    async stop() {
      await proc.stop();
      await removeTree(dir);
    },
    async quitWithStacks() {
      // Its own listener: the handle keeps only the last chunks, and the runtime writes a dump line by line.
      const chunks: string[] = [];
      proc.child.stderr?.on('data', (b: Buffer) => chunks.push(b.toString()));
      await proc.stop('SIGQUIT');
      await removeTree(dir);
      return chunks.join('');
    },
  };
}
