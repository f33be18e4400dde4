import { readFile } from 'node:fs/promises';
import { parseDuration } from '../config/duration.js';
import { DEFAULT_API_LISTEN } from '../config/schema.js';
import { didYouMeanHint } from '../did-you-mean.js';
import { errorMessage } from '../errors.js';
import { splitHostPort } from '../http/listen.js';
import { configFor, parseCommand, UsageError } from './cli-options.js';

const SUBCOMMANDS = ['add', 'remove', 'list'];
const CONNECTION = { url: { type: 'string' }, 'token-file': { type: 'string' }, json: { type: 'boolean' } } as const;

interface Problem { title?: string; detail?: string; errors?: { path: string; message: string }[] }

/**
 * `certfleet cert add|remove|list`: a client of the management API (api.md). It reaches the
 * daemon at --url with --token-file, or at server.api of --config; exits 0 done (an unchanged
 * add too), 1 refused by the API (the problem is printed), 2 usage, config or connection error.
 */
export async function runCert(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (!sub || !SUBCOMMANDS.includes(sub)) throw new UsageError(`cert needs add, remove or list${sub ? `, not ${JSON.stringify(sub)}${didYouMeanHint(sub, SUBCOMMANDS)}` : ''}`);
  if (sub === 'add') {
    const v = parseCommand(rest, { ...CONNECTION, cert: { type: 'string' }, domain: { type: 'string', multiple: true }, dns: { type: 'string' }, 'key-type': { type: 'string' }, spec: { type: 'string' } });
    const entry = v.spec !== undefined ? await specFrom(v.spec) : flagEntry(v);
    return send(v, 'POST', '/v1/certificates', entry, (body) => {
      const b = body as { result: string; certificate: { name: string } };
      return `${b.certificate.name}: ${b.result}\n`;
    });
  }
  if (sub === 'remove') {
    const v = parseCommand(rest, { ...CONNECTION, cert: { type: 'string' } });
    if (!v.cert) throw new UsageError('cert remove needs --cert NAME');
    return send(v, 'DELETE', `/v1/certificates/${encodeURIComponent(v.cert)}`, undefined, () => `${v.cert}: removed\n`);
  }
  const v = parseCommand(rest, { ...CONNECTION, failing: { type: 'boolean' }, expiring: { type: 'string' } });
  if (v.failing && v.expiring !== undefined) throw new UsageError('give --failing or --expiring, not both');
  if (v.expiring !== undefined && parseDuration(v.expiring) === undefined) throw new UsageError(`--expiring ${JSON.stringify(v.expiring)}: expected a duration like 30d or 72h`);
  const q = v.failing ? '?status=failing' : v.expiring !== undefined ? `?status=expiring&within=${encodeURIComponent(v.expiring)}` : '';
  return send(v, 'GET', `/v1/certificates${q}`, undefined, (body) => table((body as { certificates: Record<string, unknown>[] }).certificates));
}

type Values = { url?: string | undefined; 'token-file'?: string | undefined; json?: boolean | undefined; config?: string | boolean | undefined };

function flagEntry(v: { cert?: string | undefined; domain?: string[] | undefined; dns?: string | undefined; 'key-type'?: string | undefined }): Record<string, unknown> {
  if (!v.domain?.length || !v.dns) throw new UsageError('cert add needs --domain D (repeatable) and --dns PROVIDER, or --spec FILE');
  return { ...(v.cert ? { name: v.cert } : {}), domains: v.domain, dns: v.dns, ...(v['key-type'] ? { key_type: v['key-type'] } : {}) };
}

/** A certificates[] entry as JSON, from a file or `-` (stdin); the API validates it. */
async function specFrom(file: string): Promise<unknown> {
  const text = file === '-' ? await readStdin() : await readFile(file, 'utf8').catch((err: unknown) => { throw new UsageError(`--spec ${file}: ${errorMessage(err)}`); });
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new UsageError(`--spec ${file}: not JSON (${errorMessage(err)})`);
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** Where the API is and its token: the flags, else server.api of the config. */
async function endpoint(v: Values): Promise<{ url: string; token: string } | undefined> {
  if (v.url !== undefined) {
    if (v['token-file'] === undefined) throw new UsageError('--url needs --token-file FILE');
    const token = (await readFile(v['token-file'], 'utf8').catch((err: unknown) => { throw new UsageError(`--token-file: ${(err as NodeJS.ErrnoException).code ?? errorMessage(err)}`); })).replace(/\r?\n$/, '');
    return { url: v.url.replace(/\/$/, ''), token };
  }
  const config = await configFor(v);
  if (!config) return undefined;
  if (!config.server.api) {
    process.stderr.write(`certfleet: ${String(v.config)} has no server.api (the management API is off); set server.api.listen and token_file, or give --url and --token-file\n`);
    return undefined;
  }
  const token = v['token-file'] === undefined ? config.server.api.token.reveal() : (await readFile(v['token-file'], 'utf8')).replace(/\r?\n$/, '');
  if (splitHostPort(config.server.api.listen).port === 0) throw new UsageError('server.api.listen has port 0 (any free port): give the daemon\'s address with --url');
  return { url: clientUrl(config.server.api.listen || DEFAULT_API_LISTEN), token };
}

/** A listen address as a client reaches it: every address (0.0.0.0, ::) is reached on loopback. */
export function clientUrl(listen: string): string {
  const { host, port } = splitHostPort(listen);
  const h = host === '0.0.0.0' || host === '' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${h.includes(':') ? `[${h}]` : h}:${port ?? 9181}`;
}

async function send(v: Values, method: string, route: string, body: unknown, ok: (body: unknown) => string): Promise<number> {
  const at = await endpoint(v);
  if (!at) return 2;
  let res: Response;
  try {
    res = await fetch(`${at.url}${route}`, {
      method, signal: AbortSignal.timeout(30_000),
      headers: { authorization: `Bearer ${at.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (err) {
    process.stderr.write(`certfleet: cannot reach the management API at ${at.url}: ${errorMessage((err as Error).cause ?? err)} (is certfleet run running with server.api?)\n`);
    return 2;
  }
  const text = await res.text();
  const parsed = text ? JSON.parse(text) as unknown : undefined;
  if (res.ok) {
    process.stdout.write(v.json ? `${JSON.stringify(parsed ?? { result: 'removed' }, null, 2)}\n` : ok(parsed));
    return 0;
  }
  if (v.json) process.stdout.write(`${text}\n`);
  const p = (parsed ?? {}) as Problem;
  const retry = res.headers.get('retry-after');
  process.stderr.write(`certfleet: ${res.status} ${p.title ?? res.statusText}: ${p.detail ?? ''}${retry ? ` (retry after ${retry} s)` : ''}\n${(p.errors ?? []).map((e) => `  ${e.path ? `${e.path}: ` : ''}${e.message}\n`).join('')}`);
  return res.status === 401 ? 2 : 1;
}

function table(rows: Record<string, unknown>[]): string {
  const cells = [['NAME', 'SOURCE', 'DOMAINS', 'NOT AFTER', 'NEXT RENEWAL', 'LAST', 'NOTE'], ...rows.map((r) => [
    r.name, r.source, Array.isArray(r.domains) ? r.domains.join(',') : '-', r.notAfter ?? '-', r.nextRenewal ?? '-', r.lastResult ?? '-', r.conflict ?? r.invalid ?? '',
  ].map(String))];
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((c) => c[i]!.length)));
  return cells.map((c) => `${c.map((x, i) => x.padEnd(widths[i]!)).join('  ').trimEnd()}\n`).join('');
}
