import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { access, copyFile, mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ProcessHandle } from './process-handle.js';

const run = promisify(execFile);
/** The flags podman needs on this machine (no systemd, no registry). */
export const PODMAN_GLOBAL = ['--runtime', 'runc', '--cgroup-manager', 'cgroupfs', '--events-backend', 'file'];
/** The `podman run` flags this machine needs: its rlimits cannot be raised, and there is no CNI network. */
export const PODMAN_RUN = ['--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1024:1024', '--network', 'host'];

export interface PodmanEngine {
  socketPath: string;
  /** Starts a container from a local busybox image; returns its name. */
  runContainer(command: string[], labels?: Record<string, string>): Promise<string>;
  inspect(name: string): Promise<{ State: { StartedAt: string; Running: boolean } }>;
  stop(): Promise<void>;
}

/** Whether rootful podman can run here (installed, and we are root). */
export async function podmanAvailable(): Promise<boolean> {
  if (process.getuid?.() !== 0) return false;
  return run('podman', ['--version']).then(() => true, () => false);
}

/**
 * Real rootful `podman system service` on a unix socket, with an image imported from a rootfs
 * of one static busybox (no registry is reachable here). Containers it starts are removed by stop().
 */
export async function startPodmanEngine(): Promise<PodmanEngine> {
  const dir = await mkdtemp(path.join(tmpdir(), 'certfleet-podman-'));
  const image = await busyboxImage(dir);
  const socketPath = path.join(dir, 'podman.sock');
  const proc = ProcessHandle.start('podman', 'podman', [...PODMAN_GLOBAL, 'system', 'service', '--time=0', `unix://${socketPath}`]);
  await proc.waitReady(async () => { await access(socketPath); return true; });
  const names: string[] = [];
  return {
    socketPath,
    async runContainer(command, labels = {}) {
      const name = `certfleet-test-${randomBytes(4).toString('hex')}`;
      names.push(name);
      await run('podman', [...PODMAN_GLOBAL, 'run', '-d', '--name', name, ...Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]),
        ...PODMAN_RUN, image, ...command]);
      return name;
    },
    async inspect(name) {
      const { stdout } = await run('podman', [...PODMAN_GLOBAL, 'inspect', name]);
      return (JSON.parse(stdout) as { State: { StartedAt: string; Running: boolean } }[])[0]!;
    },
    async stop() {
      for (const n of names) await run('podman', [...PODMAN_GLOBAL, 'rm', '-f', '-t', '0', n]).catch(() => undefined);
      await proc.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A local image of one static busybox, tagged by the binary's digest and imported only once per machine. */
async function busyboxImage(dir: string): Promise<string> {
  const digest = createHash('sha256').update(await readFile('/bin/busybox')).digest('hex').slice(0, 12);
  const image = `localhost/certfleet-test-busybox:${digest}`;
  if (await run('podman', [...PODMAN_GLOBAL, 'image', 'exists', image]).then(() => true, () => false)) return image;
  const rootfs = path.join(dir, 'rootfs');
  await mkdir(path.join(rootfs, 'bin'), { recursive: true });
  await mkdir(path.join(rootfs, 'tmp'));
  await copyFile('/bin/busybox', path.join(rootfs, 'bin', 'busybox'));
  for (const c of ['sh', 'sleep', 'test', 'true', 'false', 'cat']) await symlink('busybox', path.join(rootfs, 'bin', c));
  await run('tar', ['-C', rootfs, '-cf', path.join(dir, 'rootfs.tar'), '.']);
  await run('podman', [...PODMAN_GLOBAL, 'import', path.join(dir, 'rootfs.tar'), image]);
  return image;
}
