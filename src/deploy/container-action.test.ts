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
      await new ContainerAction({
        socket: engine.address, restart: ['nginx'], signal: { SIGHUP: ['label=certfleet.reload=hup'] },
        exec: { containers: ['nginx'], command: ['nginx', '-s', 'reload'] }, services: ['web_proxy'],
      }, 10_000, false).run(event, ctx());
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
      await new ContainerAction({ socket: engine.address, signal: { SIGHUP: ['nginx'] } }, 10_000, false).run(event, ctx());
      expect(engine.calls.filter((c) => c.includes('/kill?signal=SIGHUP'))).toHaveLength(1);
    } finally {
      await engine.stop();
    }
    // The same address with nothing listening any more: a clear error naming it.
    await expect(new ContainerAction({ socket: engine.address, restart: ['nginx'] }, 2000, false).run(event, ctx()))
      .rejects.toThrow(`container engine at ${engine.address}: ECONNREFUSED`);
  });

  it('names that match nothing, a failing exec, an engine error: one clear error each', async () => {
    const engine = await startFakeEngine([{ name: 'nginx' }, { name: 'stopped', running: false }]);
    try {
      await expect(new ContainerAction({ socket: engine.address, restart: ['ngnix'] }, 10_000, false).run(event, ctx()))
        .rejects.toThrow('container restart ngnix: no running container matches "ngnix"');
      engine.execExit.set('false', 1);
      await expect(new ContainerAction({ socket: engine.address, exec: { containers: ['nginx'], command: ['false'] } }, 10_000, false).run(event, ctx()))
        .rejects.toThrow(/container exec in nginx: false exited with 1 in container [0-9a-f]{12}/);
      await expect(new ContainerAction({ socket: engine.address, services: ['missing'] }, 10_000, false).run(event, ctx()))
        .rejects.toThrow('container update service missing: no Swarm service named "missing"');
    } finally {
      await engine.stop();
    }
  });

  it('an unusable socket: missing, not a socket, not an Engine API', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'certfleet-sock-'));
    try {
      await expect(new ContainerAction({ socket: path.join(dir, 'none.sock'), restart: ['x'] }, 1000, false).run(event, ctx()))
        .rejects.toThrow(/container engine socket .*none\.sock does not exist/);
      const plain = path.join(dir, 'file');
      await writeFile(plain, '');
      await chmod(plain, 0o600);
      await expect(new ContainerAction({ socket: plain, restart: ['x'] }, 1000, false).run(event, ctx())).rejects.toThrow(/is not a unix socket/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
