import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { checkHealth } from './healthcheck.js';

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

async function serve(status: number, delayMs = 0): Promise<string> {
  server = createServer((_request, response) => setTimeout(() => response.writeHead(status).end('x'), delayMs));
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/healthz`;
}

describe('checkHealth', () => {
  it('is healthy on 200', async () => {
    expect(await checkHealth(await serve(200), AbortSignal.timeout(2000))).toBeUndefined();
  });
  it('names the status otherwise', async () => {
    const url = await serve(503);
    expect(await checkHealth(url, AbortSignal.timeout(2000))).toBe(`${url} answered 503`);
  });
  it('names a refused connection', async () => {
    const url = await serve(200);
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    server = undefined;
    expect(await checkHealth(url, AbortSignal.timeout(2000))).toMatch(/ECONNREFUSED/);
  });
  it('gives up at the timeout', async () => {
    const url = await serve(200, 5000);
    expect(await checkHealth(url, AbortSignal.timeout(100))).toMatch(/abort/i);
    server?.closeAllConnections();
  });
});
