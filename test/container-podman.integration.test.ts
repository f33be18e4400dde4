import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContainerAction } from '../src/deploy/container-action.js';
import type { CertificateEvent } from '../src/deploy/deploy-action.js';
import { startFakeEngine } from './support/fake-engine.js';
import { podmanAvailable, startPodmanEngine, type PodmanEngine } from './support/podman-engine.js';
import { captureLog } from './support/test-log.js';

const event = {} as CertificateEvent;
const ctx = () => ({ log: captureLog().log, signal: AbortSignal.timeout(60_000) });
const available = await podmanAvailable();

// Real rootful podman (its Docker-compatible API on a unix socket); skipped only where podman cannot run.
describe.skipIf(!available)('container action against real podman', () => {
  let engine: PodmanEngine;
  beforeAll(async () => { engine = await startPodmanEngine(); }, 120_000);
  afterAll(() => engine?.stop(), 120_000);

  it('signals by label (the container sees SIGHUP), execs with exit status, restarts by name', async () => {
    // A process that records each SIGHUP, as nginx reloads on one.
    const name = await engine.runContainer(['/bin/sh', '-c', 'trap "echo hup >> /tmp/hups" HUP; while :; do sleep 1; done'], { 'certfleet.reload': 'hup' });
    await new ContainerAction({ sockets: [engine.socketPath], signal: { SIGHUP: ['label=certfleet.reload=hup'] } }, 30_000, false).run(event, ctx());
    // The trap runs once the current `sleep 1` ends: ask (through exec) for up to 5 s.
    const sawHup = new ContainerAction({ sockets: [engine.socketPath], exec: { containers: [name], command: ['/bin/test', '-s', '/tmp/hups'] } }, 30_000, false);
    let ok = false;
    for (let i = 0; i < 25 && !ok; i++) ok = await sawHup.run(event, ctx()).then(() => true, () => false) || (await new Promise((r) => setTimeout(r, 200)), false);
    expect(ok).toBe(true);
    await expect(new ContainerAction({ sockets: [engine.socketPath], exec: { containers: [name], command: ['/bin/false'] } }, 30_000, false).run(event, ctx()))
      .rejects.toThrow(/\/bin\/false exited with 1/);
    const before = (await engine.inspect(name)).State.StartedAt;
    await new ContainerAction({ sockets: [engine.socketPath], restart: [name] }, 60_000, false).run(event, ctx());
    const after = await engine.inspect(name);
    expect(after.State.Running).toBe(true);
    expect(after.State.StartedAt).not.toBe(before);
    await expect(new ContainerAction({ sockets: [engine.socketPath], restart: ['certfleet-test-nothing'] }, 30_000, false).run(event, ctx()))
      .rejects.toThrow('no running container matches "certfleet-test-nothing"');
  }, 120_000);

  it('Docker and Podman at once: one action restarts a container on each engine, wherever its name is', async () => {
    const name = await engine.runContainer(['/bin/sh', '-c', 'while :; do sleep 1; done']);
    // The Docker side is the fake engine (no Docker daemon here), beside the real podman.
    const docker = await startFakeEngine([{ name: 'nginx' }]);
    try {
      const before = (await engine.inspect(name)).State.StartedAt;
      await new ContainerAction({ sockets: [docker.address, engine.socketPath], restart: ['nginx', name] }, 60_000, false).run(event, ctx());
      expect(docker.calls.filter((c) => c.includes('/restart'))).toHaveLength(1);
      const after = await engine.inspect(name);
      expect(after.State.Running).toBe(true);
      expect(after.State.StartedAt).not.toBe(before);
      await expect(new ContainerAction({ sockets: [docker.address, engine.socketPath], restart: ['certfleet-test-nothing'] }, 30_000, false).run(event, ctx()))
        .rejects.toThrow(`no running container matches "certfleet-test-nothing" on any of ${docker.address}, ${engine.socketPath}`);
    } finally {
      await docker.stop();
    }
  }, 120_000);
});
