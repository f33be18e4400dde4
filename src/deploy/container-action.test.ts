import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startFakeEngine } from '../../test/support/fake-engine.js';
import { captureLog } from '../../test/support/test-log.js';
import { ContainerAction } from './container-action.js';
import type { CertificateEvent } from './deploy-action.js';

const event = {} as CertificateEvent;
const ctx = () => ({ log: captureLog().log, signal: AbortSignal.timeout(10_000) });

describe('container action (fake Engine API on a unix socket)', () => {
  it('restarts by name, signals by label, execs, and force-updates a Swarm service', async () => {
    const engine = await startFakeEngine([{ name: 'nginx' }, { name: 'haproxy', labels: { 'certfleet.reload': 'hup' } }, { name: 'app', labels: { 'certfleet.reload': 'hup' } }, { name: 'nginx-old' }]);
    try {
      const cap = captureLog();
      await new ContainerAction({
        sockets: [engine.address], restart: ['nginx'], signal: { SIGHUP: ['label=certfleet.reload=hup'] },
        exec: { containers: ['nginx'], command: ['nginx', '-s', 'reload'] }, services: ['web_proxy'],
      }, 10_000, false).run(event, { log: cap.log, signal: AbortSignal.timeout(10_000) });
      // The command's output is a field of one event, not the log line's message.
      expect(cap.records().filter((r) => r.stream === 'stdout')).toEqual([expect.objectContaining({ msg: 'container_output', line: 'ran nginx -s reload', program: 'nginx' })]);
      const posts = engine.calls.filter((c) => c.startsWith('POST'));
      expect(posts.filter((c) => c.includes('/restart'))).toHaveLength(1); // nginx only, not nginx-old
      expect(posts.filter((c) => c.includes('/kill?signal=SIGHUP'))).toHaveLength(2);
      expect(posts.filter((c) => /\/exec\/[0-9a-f]+\/start/.test(c))).toHaveLength(1);
      expect(engine.services[0]!.Spec.TaskTemplate.ForceUpdate).toBe(1);
      expect(engine.calls[0]).toBe('GET /version');
    } finally {
      await engine.stop();
    }
  });

  it('speaks to a socket proxy over TCP (containers.socket: tcp://host:port)', async () => {
    const engine = await startFakeEngine([{ name: 'nginx' }], { tcp: true });
    try {
      expect(engine.address).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
      await new ContainerAction({ sockets: [engine.address], signal: { SIGHUP: ['nginx'] } }, 10_000, false).run(event, ctx());
      expect(engine.calls.filter((c) => c.includes('/kill?signal=SIGHUP'))).toHaveLength(1);
    } finally {
      await engine.stop();
    }
    // The same address with nothing listening any more: a clear error naming it.
    await expect(new ContainerAction({ sockets: [engine.address], restart: ['nginx'] }, 2000, false).run(event, ctx()))
      .rejects.toThrow(`container engine at ${engine.address}: ECONNREFUSED`);
  });

  it('names that match nothing, a failing exec, an engine error: one clear error each', async () => {
    const engine = await startFakeEngine([{ name: 'nginx' }, { name: 'stopped', running: false }]);
    try {
      await expect(new ContainerAction({ sockets: [engine.address], restart: ['ngnix'] }, 10_000, false).run(event, ctx()))
        .rejects.toThrow('container restart ngnix: no running container matches "ngnix"');
      engine.execExit.set('false', 1);
      await expect(new ContainerAction({ sockets: [engine.address], exec: { containers: ['nginx'], command: ['false'] } }, 10_000, false).run(event, ctx()))
        .rejects.toThrow(/container exec in nginx: false exited with 1 in container [0-9a-f]{12}/);
      await expect(new ContainerAction({ sockets: [engine.address], services: ['missing'] }, 10_000, false).run(event, ctx()))
        .rejects.toThrow('container update service missing: no Swarm service named "missing"');
    } finally {
      await engine.stop();
    }
  });

  it('Docker and Podman at once: each name is looked up on every engine and acted on wherever it is found', async () => {
    const docker = await startFakeEngine([{ name: 'nginx' }, { name: 'shared', labels: { 'certfleet.reload': 'hup' } }]);
    const podman = await startFakeEngine([{ name: 'haproxy' }, { name: 'shared', labels: { 'certfleet.reload': 'hup' } }]);
    try {
      const action = new ContainerAction({
        sockets: [docker.address, podman.address], restart: ['nginx', 'haproxy'], signal: { SIGHUP: ['label=certfleet.reload=hup'] },
        exec: { containers: ['shared'], command: ['reload'] },
      }, 10_000, false);
      await action.run(event, ctx());
      for (const engine of [docker, podman]) {
        expect(engine.calls[0]).toBe('GET /version');
        expect(engine.calls.filter((c) => c.includes('/restart'))).toHaveLength(1);
        expect(engine.calls.filter((c) => c.includes('/kill?signal=SIGHUP'))).toHaveLength(1);
        expect(engine.calls.filter((c) => /\/exec\/[0-9a-f]+\/start/.test(c))).toHaveLength(1);
      }
      // A name found on neither engine is the same error as with one, naming both.
      const calls = docker.calls.length;
      await expect(new ContainerAction({ sockets: [docker.address, podman.address], restart: ['nginx', 'ngnix'] }, 10_000, false).run(event, ctx()))
        .rejects.toThrow(`container restart nginx,ngnix: no running container matches "ngnix" on any of ${docker.address}, ${podman.address}`);
      // Every name is resolved before anything is restarted: a typo restarts nothing.
      expect(docker.calls.slice(calls).filter((c) => c.includes('/restart'))).toEqual([]);
    } finally {
      await Promise.all([docker.stop(), podman.stop()]);
    }
  });

  it('one engine unusable among several: nothing is done on the others', async () => {
    const docker = await startFakeEngine([{ name: 'nginx' }]);
    const dir = await mkdtemp(path.join(tmpdir(), 'certfleet-sock-'));
    try {
      await expect(new ContainerAction({ sockets: [docker.address, path.join(dir, 'podman.sock')], restart: ['nginx'] }, 10_000, false).run(event, ctx()))
        .rejects.toThrow(/container engine socket .*podman\.sock does not exist/);
      expect(docker.calls.filter((c) => c.startsWith('POST'))).toEqual([]);
    } finally {
      await docker.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('an unusable socket: missing, not a socket, not an Engine API', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'certfleet-sock-'));
    try {
      await expect(new ContainerAction({ sockets: [path.join(dir, 'none.sock')], restart: ['x'] }, 1000, false).run(event, ctx()))
        .rejects.toThrow(/container engine socket .*none\.sock does not exist/);
      const plain = path.join(dir, 'file');
      await writeFile(plain, '');
      await chmod(plain, 0o600);
      await expect(new ContainerAction({ sockets: [plain], restart: ['x'] }, 1000, false).run(event, ctx())).rejects.toThrow(/is not a unix socket/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
