import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerSecret } from '../../../test/support/secret-scan.js';
import { captureLog } from '../../../test/support/test-log.js';
import { CertfleetError } from '../../errors.js';
import type { DnsRecord } from '../dns-provider.js';
import { HELPER_SOURCE } from './helper-source.js';
import { helperEnv, lexiconEnvName } from './lexicon-client.js';
import { LexiconProvider } from './lexicon-provider.js';

const SECRET = 'tok-4f9c2e81d7a6b5c3e2f1a0b9c8d7e6f5';
// The suite's secret scan then checks every log line these tests capture.
registerSecret(SECRET);
const rec: DnsRecord = { name: '_acme-challenge.www', type: 'TXT', data: 'value-1', ttl: 60 };
let dir: string;

beforeAll(async () => { dir = await mkdtemp(path.join(tmpdir(), 'certfleet-lexicon-')); });
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A stand-in for python3: a shell script that keeps what it was given and answers as told. */
async function fakePython(name: string, body: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, `#!/bin/sh\nprintf '%s\\0' "$@" > "${file}.argv"\nenv > "${file}.env"\ncat > "${file}.stdin"\n${body}\n`);
  await chmod(file, 0o755);
  return file;
}

function provider(python: string, opts: { options?: Record<string, string>; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}) {
  const captured = captureLog();
  const p = new LexiconProvider({
    id: 'lx', provider: 'powerdns', python, timeoutMs: opts.timeoutMs ?? 20_000, log: captured.log,
    options: opts.options ?? { auth_token: SECRET, pdns_server: 'http://127.0.0.1:1' },
    ...(opts.env ? { env: opts.env } : {}),
  });
  return { p, lines: captured.lines };
}

const failure = (promise: Promise<unknown>) => promise.then(() => { throw new Error('expected a failure'); }, (e: unknown) => e as CertfleetError);

describe('lexicon helper: what the child gets', () => {
  it('the options go into the environment as LEXICON_<PROVIDER>_<OPTION>, never into argv or stdin; nothing else of certfleet\'s environment', async () => {
    const python = await fakePython('argv-python', `echo '{"ok": true, "done": [0]}'`);
    const { p } = provider(python, { env: { PATH: '/usr/bin:/bin', HOME: '/home/x', CERTFLEET_PDNS_API_KEY: 'other-secret-value', AWS_SECRET_ACCESS_KEY: 'aws-value' } });
    expect(await p.appendRecords('example.test', [rec], AbortSignal.timeout(10_000))).toEqual([rec]);
    const argv = (await readFile(`${python}.argv`, 'utf8')).split('\0');
    expect(argv).toEqual(['-c', HELPER_SOURCE, '']);
    expect(argv.join(' ')).not.toContain(SECRET);
    const stdin = await readFile(`${python}.stdin`, 'utf8');
    expect(stdin).not.toContain(SECRET);
    expect(JSON.parse(stdin)).toEqual({
      action: 'append', provider: 'powerdns', zone: 'example.test', options: ['auth_token', 'pdns_server'],
      records: [{ name: '_acme-challenge.www.example.test', type: 'TXT', content: 'value-1', ttl: 60 }],
    });
    const env = (await readFile(`${python}.env`, 'utf8')).split('\n');
    expect(env).toContain(`LEXICON_POWERDNS_AUTH_TOKEN=${SECRET}`);
    expect(env).toContain('LEXICON_POWERDNS_PDNS_SERVER=http://127.0.0.1:1');
    expect(env).toContain('HOME=/home/x');
    expect(env.some((l) => l.startsWith('CERTFLEET_') || l.startsWith('AWS_'))).toBe(false);
  });

  it('names the variables the way lexicon 3 resolves them', () => {
    expect(lexiconEnvName('linode4', 'auth_token')).toBe('LEXICON_LINODE4_AUTH_TOKEN');
    expect(Object.keys(helperEnv('ovh', { auth_entrypoint: 'ovh-eu' }, { PATH: '/bin' })).sort()).toEqual(['LEXICON_OVH_AUTH_ENTRYPOINT', 'PATH', 'PYTHONDONTWRITEBYTECODE', 'PYTHONIOENCODING']);
  });

  it('a lexicon.py in the working directory is not imported in place of lexicon', async () => {
    const cwd = path.join(dir, 'hijack');
    await mkdir(path.join(cwd, 'lexicon'), { recursive: true });
    await writeFile(path.join(cwd, 'lexicon', '__init__.py'), 'import sys\nsys.stdout.write(\'{"ok": true, "done": [0]}\')\nsys.exit(0)\n');
    const before = process.cwd();
    process.chdir(cwd);
    try {
      // The real lexicon runs, and finds nothing listening: a connection error, not the impostor's "done".
      const err = await failure(provider('/usr/bin/python3').p.appendRecords('example.test', [rec], AbortSignal.timeout(20_000)));
      expect(err.message).toContain('ConnectionError');
    } finally {
      process.chdir(before);
    }
  });

  it('returns only the records the helper reports done', async () => {
    const python = await fakePython('partial-python', `echo '{"ok": true, "done": [1]}'`);
    const other = { ...rec, data: 'value-2' };
    expect(await provider(python).p.deleteRecords('example.test', [rec, other], AbortSignal.timeout(10_000))).toEqual([other]);
  });
});

describe('lexicon helper: secrets a provider echoes', () => {
  it('are redacted from its log lines and from the error message', async () => {
    const python = await fakePython('echo-python', `echo "DEBUG request headers: X-API-Key: ${SECRET}" >&2\necho '{"ok": false, "error": {"kind": "provider", "retryable": false, "message": "HTTPError: 400 for token=${SECRET}"}}'`);
    const { p, lines } = provider(python);
    const err = await failure(p.appendRecords('example.test', [rec], AbortSignal.timeout(10_000)));
    expect(err.code).toBe('DNS_PROVIDER');
    expect(err.message).toBe('lexicon provider lx (powerdns) append in example.test: HTTPError: 400 for token=[redacted]');
    expect(lines.join('\n')).toContain('X-API-Key: [redacted]');
    expect(lines.join('\n')).not.toContain(SECRET);
  });
});

describe('lexicon helper: when Python or lexicon is missing', () => {
  it('a python that is not in the PATH says how to install lexicon', async () => {
    const { p } = provider('python3', { env: { PATH: dir } });
    const err = await failure(p.appendRecords('example.test', [rec], AbortSignal.timeout(10_000)));
    expect(err.code).toBe('DNS_PROVIDER');
    expect(err.message).toContain('cannot run python3 (no such program)');
    expect(err.message).toContain('`apt-get install python3-lexicon`');
    expect(err.message).toContain('`pip install dns-lexicon`');
  });

  it('a Python without lexicon says how to install it', async () => {
    // -S: the real Python without its site-packages, which is where lexicon lives.
    const python = path.join(dir, 'bare-python');
    await writeFile(python, '#!/bin/sh\nexec /usr/bin/python3 -S "$@"\n');
    await chmod(python, 0o755);
    const err = await failure(provider(python).p.appendRecords('example.test', [rec], AbortSignal.timeout(10_000)));
    expect(err.code).toBe('DNS_PROVIDER');
    expect(err.message).toBe(`lexicon provider lx (powerdns) append in example.test: lexicon is not installed for ${python}: install it with \`apt-get install python3-lexicon\` (Debian, Ubuntu), or \`pip install dns-lexicon\` for that Python, or set python: to the Python that has it`);
  });
});

describe('lexicon helper: time limits and cancellation', () => {
  it('a helper that hangs is stopped at the timeout: retryable', async () => {
    const python = await fakePython('hung-python', `echo $$ > "${dir}/hung.pid"\nexec sleep 30`);
    const err = await failure(provider(python, { timeoutMs: 300 }).p.appendRecords('example.test', [rec], AbortSignal.timeout(10_000)));
    expect(err.code).toBe('DNS_PROVIDER');
    expect(err.retryable).toBe(true);
    expect(err.message).toContain('no answer within 300 ms; the helper was stopped');
    expect(isAlive(Number(await readFile(`${dir}/hung.pid`, 'utf8')))).toBe(false);
  });

  it('an abort stops the helper and rejects with the signal\'s reason', async () => {
    const python = await fakePython('abort-python', `echo $$ > "${dir}/abort.pid"\nexec sleep 30`);
    const controller = new AbortController();
    const pending = failure(provider(python).p.appendRecords('example.test', [rec], controller.signal));
    await waitForFile(`${dir}/abort.pid`);
    controller.abort(new Error('shutting down'));
    expect((await pending).message).toBe('shutting down');
    expect(isAlive(Number(await readFile(`${dir}/abort.pid`, 'utf8')))).toBe(false);
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitForFile(file: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if ((await readFile(file, 'utf8').catch(() => '')).trim()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A PowerDNS API stand-in that answers every request with one status (and the zone GET with `zone`). */
async function apiAnswering(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; server: Server }> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, server };
}

describe('lexicon helper: errors of the real lexicon, mapped to typed errors', () => {
  const cases: { what: string; status: number; when: 'zone' | 'patch'; code: string; retryable: boolean }[] = [
    { what: '401 on login', status: 401, when: 'zone', code: 'DNS_AUTH', retryable: false },
    { what: '403 on login', status: 403, when: 'zone', code: 'DNS_AUTH', retryable: false },
    { what: '404 for the zone', status: 404, when: 'zone', code: 'DNS_ZONE_NOT_FOUND', retryable: false },
    { what: '503 on login', status: 503, when: 'zone', code: 'DNS_PROVIDER', retryable: true },
    { what: '400 on the change', status: 400, when: 'patch', code: 'DNS_PROVIDER', retryable: false },
    { what: '500 on the change', status: 500, when: 'patch', code: 'DNS_PROVIDER', retryable: true },
  ];
  for (const c of cases) {
    it(`${c.what}: ${c.code}${c.retryable ? ', retryable' : ''}, with the option values redacted from the message`, async () => {
      const api = await apiAnswering((req, res) => {
        const zoneGet = req.method === 'GET';
        if (c.when === 'patch' && zoneGet) {
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ kind: 'Native', rrsets: [] }));
          return;
        }
        res.writeHead(c.status).end(`{"error": "no"}`);
      });
      try {
        const { p, lines } = provider('/usr/bin/python3', { options: { auth_token: SECRET, pdns_server: api.url } });
        const err = await failure(p.appendRecords('example.test', [rec], AbortSignal.timeout(20_000)));
        expect(err).toBeInstanceOf(CertfleetError);
        expect({ code: err.code, retryable: err.retryable }).toEqual({ code: c.code, retryable: c.retryable });
        // requests puts the URL, and so the pdns_server option, into its message.
        expect(err.message).toContain(`${c.status} `);
        expect(err.message).toContain('[redacted]');
        expect(err.message).not.toContain(api.url);
        expect(lines.join('\n')).not.toContain(SECRET);
      } finally {
        api.server.close();
      }
    });
  }

  it('a refused connection: DNS_PROVIDER, retryable', async () => {
    const api = await apiAnswering(() => undefined);
    const url = api.url;
    await new Promise((r) => api.server.close(r));
    const err = await failure(provider('/usr/bin/python3', { options: { auth_token: SECRET, pdns_server: url } }).p.appendRecords('example.test', [rec], AbortSignal.timeout(20_000)));
    expect({ code: err.code, retryable: err.retryable }).toEqual({ code: 'DNS_PROVIDER', retryable: true });
    expect(err.message).toContain('ConnectionError');
  });

  it('a provider lexicon does not have: did you mean', async () => {
    const captured = captureLog();
    const p = new LexiconProvider({ id: 'lx', provider: 'powerdsn', python: '/usr/bin/python3', timeoutMs: 20_000, log: captured.log, options: {} });
    const err = await failure(p.appendRecords('example.test', [rec], AbortSignal.timeout(20_000)));
    expect(err.message).toBe('lexicon provider lx (powerdsn) append in example.test: lexicon has no provider "powerdsn" (did you mean "powerdns"?); `lexicon --help` lists them');
  });

  it('an option the lexicon provider does not have is refused before any request, with did-you-mean', async () => {
    const err = await failure(provider('/usr/bin/python3', { options: { auth_tokn: SECRET, pdns_server: 'http://127.0.0.1:1' } }).p.appendRecords('example.test', [rec], AbortSignal.timeout(20_000)));
    expect({ code: err.code, retryable: err.retryable }).toEqual({ code: 'DNS_PROVIDER', retryable: false });
    expect(err.message).toBe('lexicon provider lx (powerdns) append in example.test: lexicon provider powerdns has no option "auth_tokn" (did you mean "auth_token"?); its options: auth_token, pdns_server, pdns_server_id, pdns_disable_notify');
  });
});
