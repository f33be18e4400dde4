import { execFile } from 'node:child_process';
import { access, chown, chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { PODMAN_GLOBAL } from './podman-engine.js';
import { ProcessHandle } from './process-handle.js';

const exec = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
export const COMPOSE_DIR = path.join(root, 'deploy/compose');

export interface Result { code: number; stdout: string; stderr: string }

/** Runs a command to its end; a non-zero exit is a result, not an exception. */
export async function runCommand(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; signal?: AbortSignal | undefined } = {}): Promise<Result> {
  try {
    const { stdout, stderr } = await exec(cmd, args, { env: opts.env ?? process.env, signal: opts.signal, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number | string; stdout?: string; stderr?: string; message: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? e.message };
  }
}

export const podman = (args: string[], signal?: AbortSignal): Promise<Result> => runCommand('podman', [...PODMAN_GLOBAL, ...args], { signal });

/** Rootful podman and docker-compose (Debian's 1.29) are both here. */
export async function composeAvailable(): Promise<boolean> {
  if (process.getuid?.() !== 0) return false;
  const [p, c] = await Promise.all([runCommand('podman', ['--version']), runCommand('docker-compose', ['version', '--short'])]);
  return p.code === 0 && c.code === 0;
}

/** The three images of the stack, built here by scripts/stack-images.sh (cached by a hash of their inputs). */
export async function stackImages(signal?: AbortSignal): Promise<Record<string, string>> {
  const r = await runCommand(path.join(root, 'scripts/stack-images.sh'), [], { signal });
  if (r.code !== 0) throw new Error(`scripts/stack-images.sh failed (${String(r.code)}):\n${r.stderr.slice(-4000)}`);
  return Object.fromEntries(r.stdout.trim().split('\n').map((l) => l.split('=', 2) as [string, string]));
}

export interface EngineService {
  socketPath: string;
  /** The group that owns the socket: the socket proxy's one supplementary group. */
  gid: number;
  stop(): Promise<void>;
}

/**
 * Podman's Docker-compatible API (`podman system service`) on a unix socket in a temp dir: the
 * engine docker-compose drives and the socket proxy fronts. What this machine needs for every
 * container (runc, cgroupfs, file events, rlimits it cannot raise) is set in a containers.conf of
 * its own, so neither compose file nor command line carries it.
 */
export async function startEngineService(dir: string, gid: number): Promise<EngineService> {
  const conf = path.join(dir, 'containers.conf');
  await writeFile(conf, [
    '[containers]', 'default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]',
    '[engine]', 'runtime = "runc"', 'cgroup_manager = "cgroupfs"', 'events_logger = "file"', '',
  ].join('\n'));
  const socketPath = path.join(dir, 'engine.sock');
  const proc = ProcessHandle.start('podman system service', 'podman', ['system', 'service', '--time=0', `unix://${socketPath}`], { CONTAINERS_CONF: conf });
  await proc.waitReady(async () => { await access(socketPath); return true; });
  // root:gid 0660, as Docker's socket is root:docker: the proxy reaches it through its group, not as root.
  await chown(socketPath, 0, gid);
  await chmod(socketPath, 0o660);
  return { socketPath, gid, stop: () => proc.stop() };
}

export interface ComposeService {
  image?: string; build?: unknown; command?: string[]; user?: string; environment?: Record<string, string>;
  volumes?: string[]; secrets?: string[]; networks?: unknown; ports?: unknown; network_mode?: string;
  healthcheck?: { test?: string[]; disable?: boolean };
}
export interface ComposeFile { services: Record<string, ComposeService>; networks?: unknown; secrets: Record<string, { file: string }>; volumes?: unknown }

/** deploy/compose/compose.yaml as an object (anchors resolved). */
export async function readComposeFile(): Promise<ComposeFile> {
  return parse(await readFile(path.join(COMPOSE_DIR, 'compose.yaml'), 'utf8'), { merge: true }) as ComposeFile;
}

/** `text` with `from` replaced by `to`; throws when `from` is not there, so a changed file fails loudly. */
export function replaceOnce(text: string, from: string | RegExp, to: string, what: string): string {
  if (typeof from === 'string' ? !text.includes(from) : !from.test(text)) throw new Error(`${what}: ${String(from)} not found`);
  return text.replace(from, to);
}

/**
 * A compose project driven by docker-compose against the engine service. Health checks need a
 * timer that podman takes from systemd, absent here: while `up` waits for `service_healthy`, and
 * in `healthy()`, this runs `podman healthcheck run` on the project's containers instead.
 */
export class ComposeProject {
  readonly outputs: string[] = [];

  constructor(readonly name: string, readonly dir: string, private readonly env: NodeJS.ProcessEnv) {}

  container(service: string): string { return `${this.name}_${service}_1`; }

  async compose(file: string, args: string[], signal?: AbortSignal): Promise<Result> {
    const r = await runCommand('docker-compose', ['--ansi', 'never', '-p', this.name, '-f', file, ...args], { env: { ...process.env, ...this.env }, signal });
    this.outputs.push(r.stdout, r.stderr);
    return r;
  }

  /** `up -d` of `services` (all when none), timing health checks until compose returns. */
  async up(file: string, args: string[] = [], signal?: AbortSignal): Promise<Result> {
    const done = new AbortController();
    const pump = this.pumpHealth(AbortSignal.any([done.signal, ...(signal ? [signal] : [])]));
    try {
      return await this.compose(file, ['up', '-d', ...args], signal);
    } finally {
      done.abort();
      await pump;
    }
  }

  private async pumpHealth(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await this.runHealthChecks();
      await delay(500, undefined, { signal }).catch(() => undefined);
    }
  }

  async runHealthChecks(): Promise<void> {
    const ids = (await podman(['ps', '-q', '--filter', `label=com.docker.compose.project=${this.name}`])).stdout.split('\n').filter(Boolean);
    await Promise.all(ids.map((id) => podman(['healthcheck', 'run', id])));
  }

  /** Each container's name, exit code, running state and health, from podman. */
  async states(): Promise<Map<string, { running: boolean; exitCode: number; health: string; restarts: number; startedAt: string }>> {
    const ids = (await podman(['ps', '-aq', '--filter', `label=com.docker.compose.project=${this.name}`])).stdout.split('\n').filter(Boolean);
    const out = new Map<string, { running: boolean; exitCode: number; health: string; restarts: number; startedAt: string }>();
    if (ids.length === 0) return out;
    const list = JSON.parse((await podman(['inspect', ...ids])).stdout) as Inspect[];
    for (const c of list) {
      out.set(c.Name.replace(/^\//, ''), {
        running: c.State.Running, exitCode: c.State.ExitCode, restarts: c.RestartCount ?? 0, startedAt: c.State.StartedAt,
        health: (c.State.Health ?? c.State.Healthcheck)?.Status ?? 'none',
      });
    }
    return out;
  }

  async inspect(service: string): Promise<Inspect> {
    const r = await podman(['inspect', this.container(service)]);
    if (r.code !== 0) throw new Error(r.stderr);
    return (JSON.parse(r.stdout) as Inspect[])[0]!;
  }

  async execIn(service: string, command: string[]): Promise<Result> {
    return podman(['exec', this.container(service), ...command]);
  }

  /** Containers, pods, volumes and networks labelled with this project, as podman lists them. */
  async leftovers(): Promise<string[]> {
    const label = `label=com.docker.compose.project=${this.name}`;
    const lists = await Promise.all([
      podman(['ps', '-aq', '--filter', label]), podman(['pod', 'ps', '-q', '--filter', label]),
      podman(['volume', 'ls', '-q', '--filter', label]), podman(['network', 'ls', '-q', '--filter', label]),
    ]);
    return lists.flatMap((r) => r.stdout.split('\n').filter(Boolean));
  }

  /** Whatever `down` left: removed by label, so a failed test leaves nothing behind either. */
  async removeAll(): Promise<void> {
    const label = `label=com.docker.compose.project=${this.name}`;
    await podman(['rm', '-f', '-t', '0', '--filter', label]);
    await podman(['pod', 'rm', '-f', '--filter', label]);
    await podman(['volume', 'rm', '-f', ...(await podman(['volume', 'ls', '-q', '--filter', label])).stdout.split('\n').filter(Boolean)]);
    await podman(['network', 'rm', '-f', ...(await podman(['network', 'ls', '-q', '--filter', label])).stdout.split('\n').filter(Boolean)]);
  }
}

export interface Inspect {
  Name: string; RestartCount?: number; EffectiveCaps?: string[] | null;
  State: { Running: boolean; ExitCode: number; StartedAt: string; Health?: { Status: string }; Healthcheck?: { Status: string } };
  Config: { User: string };
  HostConfig: { ReadonlyRootfs: boolean; CapDrop?: string[]; CapAdd?: string[]; SecurityOpt?: string[]; NetworkMode: string };
}

/** A scratch directory for one run of the stack. */
export async function stackDir(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'certfleet-compose-'));
  await chmod(dir, 0o755);
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** As JSON, which is YAML too: no `no` or `on` for docker-compose's YAML 1.1 to read as a boolean. */
export function writeComposeFile(file: string, compose: ComposeFile): Promise<void> {
  return writeFile(file, JSON.stringify(compose, null, 2));
}
