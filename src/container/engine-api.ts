import { promises as fs, constants } from 'node:fs';
import { request } from 'node:http';
import { CertfleetError } from '../errors.js';

/** Where the API is: a unix socket path (`/var/run/docker.sock`, `unix:///...`) or `tcp://host:port`, as in DOCKER_HOST. */
type Endpoint = { socketPath: string } | { host: string; port: number };

export function parseEngineEndpoint(address: string): Endpoint {
  if (address.startsWith('tcp://')) {
    const url = new URL(address.replace(/^tcp:/, 'http:'));
    return { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || 2375) };
  }
  return { socketPath: address.replace(/^unix:\/\//, '') };
}

/**
 * The Docker Engine API (also served by Podman's compat API) on a unix socket, or over TCP from a
 * socket proxy that allows only the calls certfleet makes (docs/deployment.md).
 */
export class EngineApi {
  private readonly endpoint: Endpoint;

  constructor(readonly address: string, private readonly timeoutMs = 30_000) {
    this.endpoint = parseEngineEndpoint(address);
  }

  /** Checks the endpoint before use: a socket exists, is a socket and is writable by us; the API answers. */
  async check(signal: AbortSignal): Promise<string> {
    if ('socketPath' in this.endpoint) await this.checkSocket(this.endpoint.socketPath);
    const v = await this.call<{ ApiVersion?: string; Version?: string }>('GET', '/version', undefined, signal);
    if (!v.ApiVersion) throw new CertfleetError('DEPLOY_FAILED', `${this.address} answered /version without ApiVersion: not a Docker or Podman Engine API`);
    return v.ApiVersion;
  }

  private async checkSocket(socketPath: string): Promise<void> {
    let st;
    try {
      st = await fs.stat(socketPath);
    } catch {
      throw new CertfleetError('DEPLOY_FAILED', `container engine socket ${socketPath} does not exist (mount it, or set containers.socket)`);
    }
    if (!st.isSocket()) throw new CertfleetError('DEPLOY_FAILED', `${socketPath} is not a unix socket`);
    try {
      await fs.access(socketPath, constants.R_OK | constants.W_OK);
    } catch {
      throw new CertfleetError('DEPLOY_FAILED', `no permission on ${socketPath} (uid ${process.getuid?.() ?? '?'}: add the docker group, or run with the socket's group)`);
    }
  }

  async call<T>(method: string, path: string, body: unknown, signal: AbortSignal, okStatuses = [200, 201, 204]): Promise<T> {
    const res = await this.send(method, path, body, signal);
    if (!okStatuses.includes(res.status)) throw this.error(method, path, res);
    // Some answers (exec start) carry no JSON, or a stream; only JSON bodies are parsed.
    if (!res.json || !res.text.trim()) return {} as T;
    try {
      return JSON.parse(res.text) as T;
    } catch {
      throw new CertfleetError('DEPLOY_FAILED', `container engine: ${method} ${path.split('?')[0]} answered malformed JSON`);
    }
  }

  /**
   * Starts an exec attached and waits for its output stream to end (the process exited), then
   * returns the output, demultiplexed (8-byte frame headers: stream, size). Detached exec is
   * not used: podman 4.3 reports a detached exec as running forever.
   */
  async execAttached(execId: string, signal: AbortSignal): Promise<{ stdout: string; stderr: string }> {
    const res = await this.send('POST', `/exec/${execId}/start`, { Detach: false, Tty: false }, signal);
    if (res.status !== 200) throw this.error('POST', `/exec/${execId}/start`, res);
    const out = { stdout: '', stderr: '' };
    const buf = res.raw;
    for (let i = 0; i + 8 <= buf.length;) {
      const size = buf.readUInt32BE(i + 4);
      const chunk = buf.toString('utf8', i + 8, i + 8 + size);
      if (buf[i] === 2) out.stderr += chunk;
      else out.stdout += chunk;
      i += 8 + size;
    }
    return out;
  }

  private error(method: string, path: string, res: { status: number; text: string }): CertfleetError {
    let message = res.text.trim();
    try { message = (JSON.parse(res.text) as { message?: string }).message ?? message; } catch { /* plain text */ }
    return new CertfleetError('DEPLOY_FAILED', `container engine: ${method} ${path.split('?')[0]} answered HTTP ${res.status}: ${message.slice(0, 200)}`);
  }

  private async send(method: string, path: string, body: unknown, signal: AbortSignal): Promise<{ status: number; text: string; json: boolean; raw: Buffer }> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise<{ status: number; text: string; json: boolean; raw: Buffer }>((resolve, reject) => {
      const req = request({
        ...this.endpoint, path, method,
        signal: AbortSignal.any([signal, AbortSignal.timeout(this.timeoutMs)]),
        headers: { ...('socketPath' in this.endpoint ? { host: 'docker' } : {}), ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}) },
      }, (r) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => {
          const raw = Buffer.concat(chunks);
          resolve({ status: r.statusCode ?? 0, text: raw.toString('utf8'), json: /json/i.test(String(r.headers['content-type'] ?? '')), raw });
        });
        r.on('error', reject);
      });
      req.on('error', (err) => reject(new CertfleetError('DEPLOY_FAILED', `container engine at ${this.address}: ${(err as NodeJS.ErrnoException).code ?? err.message}`)));
      req.end(payload);
    });
  }
}
