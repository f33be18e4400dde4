import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * A Docker Engine API stand-in on a unix socket (or on loopback TCP, as a socket proxy serves it), written from Docker's Engine API reference:
 * GET /version, GET /containers/json with `filters` (name as a regex over "/name", label as
 * `key` or `key=value`), POST /containers/{id}/restart and /kill?signal=, exec create / start /
 * inspect, GET /services?filters and POST /services/{id}/update?version= (409 on a stale
 * version). Errors come as `{"message": ...}` with Docker's statuses.
 */
export interface FakeEngine {
  /** containers.socket: the socket's path, or tcp://127.0.0.1:PORT. */
  address: string;
  calls: string[];
  /** Exit codes per program for exec (default 0). */
  execExit: Map<string, number>;
  services: { ID: string; Version: { Index: number }; Spec: { Name: string; TaskTemplate: { ForceUpdate?: number } } }[];
  stop: () => Promise<void>;
}

export async function startFakeEngine(containers: { name: string; labels?: Record<string, string>; running?: boolean }[], opts: { tcp?: boolean } = {}): Promise<FakeEngine> {
  const dir = await mkdtemp(path.join(tmpdir(), 'certfleet-engine-'));
  const socketPath = path.join(dir, 'docker.sock');
  const list = containers.map((c) => ({ Id: randomBytes(32).toString('hex'), Names: [`/${c.name}`], Labels: c.labels ?? {}, State: c.running === false ? 'exited' : 'running' }));
  const execs = new Map<string, { cmd: string[]; started: boolean }>();
  const calls: string[] = [];
  const execExit = new Map<string, number>();
  const services: FakeEngine['services'] = [{ ID: randomBytes(12).toString('hex'), Version: { Index: 7 }, Spec: { Name: 'web_proxy', TaskTemplate: { ForceUpdate: 0 } } }];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString(); });
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://docker');
      const p = url.pathname.replace(/^\/v1\.\d+/, '');
      calls.push(`${req.method} ${p}${url.search}`);
      const json = (status: number, v: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(v === undefined ? '' : JSON.stringify(v));
      const noSuch = (id: string) => json(404, { message: `No such container: ${id}` });
      const find = (id: string) => list.find((c) => c.Id === id || c.Id.startsWith(id) || c.Names.includes(`/${id}`));
      if (req.method === 'GET' && p === '/version') return json(200, { Version: '24.0.7', ApiVersion: '1.43', MinAPIVersion: '1.12' });
      if (req.method === 'GET' && p === '/containers/json') {
        const filters = JSON.parse(url.searchParams.get('filters') ?? '{}') as { name?: string[]; label?: string[] };
        const all = url.searchParams.get('all') === 'true' || url.searchParams.get('all') === '1';
        return json(200, list.filter((c) => (all || c.State === 'running')
          && (filters.name ?? []).every((n) => c.Names.some((name) => new RegExp(n).test(name)))
          && (filters.label ?? []).every((l) => { const [k, v] = l.split(/=(.*)/s); return k! in c.Labels && (v === undefined || c.Labels[k!] === v); })));
      }
      let m = /^\/containers\/([^/]+)\/(restart|kill|exec)$/.exec(p);
      if (req.method === 'POST' && m) {
        const c = find(m[1]!);
        if (!c) return noSuch(m[1]!);
        if (m[2] === 'kill' && c.State !== 'running') return json(409, { message: `Cannot kill container: ${c.Id}: Container ${c.Id} is not running` });
        if (m[2] === 'exec') {
          const id = randomBytes(32).toString('hex');
          execs.set(id, { cmd: (JSON.parse(body) as { Cmd: string[] }).Cmd, started: false });
          return json(201, { Id: id });
        }
        return json(204, undefined);
      }
      m = /^\/exec\/([^/]+)\/(start|json)$/.exec(p);
      if (m) {
        const e = execs.get(m[1]!);
        if (!e) return json(404, { message: `No such exec instance: ${m[1]!}` });
        if (m[2] === 'start') {
          e.started = true;
          // Attached start: a multiplexed raw stream (8-byte frame header: stream 1/2, size).
          const line = Buffer.from(`ran ${e.cmd.join(' ')}\n`);
          const header = Buffer.alloc(8);
          header[0] = 1;
          header.writeUInt32BE(line.length, 4);
          return res.writeHead(200, { 'content-type': 'application/vnd.docker.raw-stream' }).end(Buffer.concat([header, line]));
        }
        return json(200, { Running: false, ExitCode: e.started ? (execExit.get(e.cmd[0] ?? '') ?? 0) : null, ProcessConfig: { entrypoint: e.cmd[0], arguments: e.cmd.slice(1) } });
      }
      if (req.method === 'GET' && p === '/services') {
        const filters = JSON.parse(url.searchParams.get('filters') ?? '{}') as { name?: string[] };
        return json(200, services.filter((s) => (filters.name ?? []).every((n) => s.Spec.Name.includes(n))));
      }
      m = /^\/services\/([^/]+)\/update$/.exec(p);
      if (req.method === 'POST' && m) {
        const s = services.find((x) => x.ID === m[1]);
        if (!s) return json(404, { message: `service ${m[1]!} not found` });
        if (Number(url.searchParams.get('version')) !== s.Version.Index) return json(500, { message: 'rpc error: code = Unknown desc = update out of sequence' });
        s.Spec = JSON.parse(body) as typeof s.Spec;
        s.Version.Index++;
        return json(200, { Warnings: [] });
      }
      json(404, { message: 'page not found' });
    });
  });
  let address = socketPath;
  if (opts.tcp) {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    address = `tcp://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  } else {
    await new Promise<void>((r) => server.listen(socketPath, r));
  }
  return { address, calls, execExit, services, stop: async () => { await new Promise((r) => server.close(r)); await rm(dir, { recursive: true, force: true }); } };
}
