import { describe, expect, it } from 'vitest';
import { captureLog } from '../../test/support/test-log.js';
import { startHttpServer } from './http-server.js';

describe('startHttpServer', () => {
  it('answers health, readiness (200 or 503 with the failing check), metrics, 404 and 405', async () => {
    let storeOk = true;
    const cap = captureLog();
    const s = await startHttpServer('127.0.0.1:0', {
      readiness: () => Promise.resolve({ config: true, store: storeOk }),
      metrics: () => Promise.resolve({ contentType: 'text/plain; version=0.0.4', body: 'x 1\n' }),
    }, cap.log);
    try {
      expect(s.address).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(await (await fetch(`${s.address}/healthz`)).json()).toEqual({ status: 'ok' });
      expect((await fetch(`${s.address}/readyz`)).status).toBe(200);
      storeOk = false;
      const nr = await fetch(`${s.address}/readyz`);
      expect(nr.status).toBe(503);
      expect(await nr.json()).toEqual({ status: 'not ready', checks: { config: true, store: false } });
      const m = await fetch(`${s.address}/metrics`);
      expect(m.headers.get('content-type')).toBe('text/plain; version=0.0.4');
      expect(await m.text()).toBe('x 1\n');
      expect((await fetch(`${s.address}/nope`)).status).toBe(404);
      expect((await fetch(`${s.address}/healthz`, { method: 'POST' })).status).toBe(405);
    } finally {
      await s.close();
    }
  });

  it('adds the details /readyz is given, without failing its checks', async () => {
    let details: Record<string, unknown> | undefined;
    const s = await startHttpServer('127.0.0.1:0', { readiness: () => Promise.resolve({ config: true }), details: () => details, metrics: () => Promise.resolve({ contentType: 't', body: '' }) }, captureLog().log);
    try {
      expect(await (await fetch(`${s.address}/readyz`)).json()).toEqual({ status: 'ready', checks: { config: true } });
      details = { managed: { conflicts: ['web'] } };
      const r = await fetch(`${s.address}/readyz`);
      expect([r.status, await r.json()]).toEqual([200, { status: 'ready', checks: { config: true }, details: { managed: { conflicts: ['web'] } } }]);
    } finally {
      await s.close();
    }
  });

  it('fails to start with the OS error when the address is taken', async () => {
    const cap = captureLog();
    const a = await startHttpServer('127.0.0.1:0', { readiness: () => Promise.resolve({}), metrics: () => Promise.resolve({ contentType: 't', body: '' }) }, cap.log);
    try {
      await expect(startHttpServer(a.address.replace('http://', ''), { readiness: () => Promise.resolve({}), metrics: () => Promise.resolve({ contentType: 't', body: '' }) }, cap.log)).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await a.close();
    }
  });

  it('refuses an address without a port instead of binding a default one', async () => {
    const cap = captureLog();
    await expect(startHttpServer('127.0.0.1', { readiness: () => Promise.resolve({}), metrics: () => Promise.resolve({ contentType: 't', body: '' }) }, cap.log)).rejects.toThrow(/expected host:port/);
  });
});
