import { access, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect } from 'node:tls';
import { freePort } from './free-port.js';
import { ProcessHandle, startWithRetry } from './process-handle.js';

/** Debian's nginx binary: CERTFLEET_TEST_NGINX, else /usr/sbin/nginx; undefined when neither is there. */
export async function findNginx(): Promise<string | undefined> {
  const bin = process.env.CERTFLEET_TEST_NGINX ?? '/usr/sbin/nginx';
  return access(bin).then(() => bin, () => undefined);
}

export interface NginxServer {
  port: number;
  /** The DER of the certificate nginx serves now. */
  servedCertificate(): Promise<Buffer>;
  /** SIGHUP, as `systemctl reload nginx`: it reads the certificate paths again; resolves once a new worker serves. */
  reload(): Promise<void>;
  /** What nginx wrote to its error log. */
  errors(): Promise<string>;
  stop(): Promise<void>;
}

/** nginx (foreground, unprivileged paths) on a free loopback port, serving TLS from `fullchain` and `privkey`. */
export function startNginx(bin: string, fullchain: string, privkey: string): Promise<NginxServer> {
  return startWithRetry(async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'certfleet-nginx-'));
    const port = await freePort();
    const temps = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `${t}_temp_path ${dir}/${t};`).join(' ');
    await mkdir(path.join(dir, 'logs'));
    await writeFile(path.join(dir, 'nginx.conf'), `daemon off;\npid ${dir}/nginx.pid;\nerror_log ${dir}/error.log notice;\nevents {}\nhttp {\n  access_log off; ${temps}\n  server { listen 127.0.0.1:${port} ssl; ssl_certificate ${fullchain}; ssl_certificate_key ${privkey}; return 200 ok; }\n}\n`);
    const proc = ProcessHandle.start('nginx', bin, ['-p', dir, '-c', path.join(dir, 'nginx.conf')]);
    const served = () => new Promise<Buffer>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false, servername: 'localhost' }, () => {
        resolve(socket.getPeerX509Certificate()!.raw);
        socket.end();
      });
      socket.once('error', reject);
    });
    try {
      await proc.waitReady(async () => (await served()).length > 0);
    } catch (err) {
      await proc.stop();
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
    const workers = async () => (await readFile(path.join(dir, 'error.log'), 'utf8').catch(() => '')).split('start worker process').length;
    return {
      port,
      servedCertificate: served,
      async reload() {
        const before = await workers();
        proc.child.kill('SIGHUP');
        await proc.waitReady(async () => await workers() > before);
      },
      errors: () => readFile(path.join(dir, 'error.log'), 'utf8').then((t) => t.split('\n').filter((l) => /\[(error|crit|alert|emerg)\]/.test(l)).join('\n')),
      async stop() {
        await proc.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  });
}
