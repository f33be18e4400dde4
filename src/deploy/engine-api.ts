import { promises as fs, constants } from 'node:fs';
import { request } from 'node:http';
import { CertfleetError } from '../errors.js';

/** The Docker Engine API (also served by Podman's compat API) on a unix socket. */
export class EngineApi {
  constructor(readonly socketPath: string, private readonly timeoutMs = 30_000) {}

  /** Checks the socket before use: it exists, is a socket, is writable by us, and the API answers. */
  async check(signal: AbortSignal): Promise<string> {
    let st;
    try {
      st = await fs.stat(this.socketPath);
    } catch {
      throw new CertfleetError('DEPLOY_FAILED', `container engine socket ${this.socketPath} does not exist (mount it, or set containers.socket)`);
    }
    if (!st.isSocket()) throw new CertfleetError('DEPLOY_FAILED', `${this.socketPath} is not a unix socket`);
    try {
      await fs.access(this.socketPath, constants.R_OK | constants.W_OK);
    } catch {
      throw new CertfleetError('DEPLOY_FAILED', `no permission on ${this.socketPath} (uid ${process.getuid?.() ?? '?'}: add the docker group, or run with the socket's group)`);
    }
    const v = await this.call<{ ApiVersion?: string; Version?: string }>('GET', '/version', undefined, signal);
    if (!v.ApiVersion) throw new CertfleetError('DEPLOY_FAILED', `${this.socketPath} answered /version without ApiVersion: not a Docker or Podman Engine API`);
    return v.ApiVersion;
  }

  async call<T>(method: string, path: string, body: unknown, signal: AbortSignal, okStatuses = [200, 201, 204]): Promise<T> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const res = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request({
        socketPath: this.socketPath, path, method,
        signal: AbortSignal.any([signal, AbortSignal.timeout(this.timeoutMs)]),
        headers: { host: 'docker', ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}) },
      }, (r) => {
        let text = '';
        r.on('data', (c: Buffer) => { text += c.toString(); });
        r.on('end', () => resolve({ status: r.statusCode ?? 0, text }));
        r.on('error', reject);
      });
      req.on('error', (err) => reject(new CertfleetError('DEPLOY_FAILED', `container engine at ${this.socketPath}: ${(err as NodeJS.ErrnoException).code ?? err.message}`)));
      req.end(payload);
    });
    if (!okStatuses.includes(res.status)) {
      let message = res.text.trim();
      try { message = (JSON.parse(res.text) as { message?: string }).message ?? message; } catch { /* plain text */ }
      throw new CertfleetError('DEPLOY_FAILED', `container engine: ${method} ${path.split('?')[0]} answered HTTP ${res.status}: ${message.slice(0, 200)}`);
    }
    return (res.text ? JSON.parse(res.text) : {}) as T;
  }
}
