import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { isLoopbackListen, listen, splitHostPort } from './listen.js';

describe('splitHostPort', () => {
  it('splits host and port, IPv6 included; an empty host is every IPv4 address', () => {
    expect(splitHostPort('127.0.0.1:9180')).toEqual({ host: '127.0.0.1', port: 9180 });
    expect(splitHostPort('[::1]:8080')).toEqual({ host: '::1', port: 8080 });
    expect(splitHostPort(':8080')).toEqual({ host: '0.0.0.0', port: 8080 });
    expect(splitHostPort('webhook.svc:0')).toEqual({ host: 'webhook.svc', port: 0 });
  });

  it('refuses an address without a port instead of guessing one', () => {
    for (const l of ['127.0.0.1', '[::1]', 'localhost', '', '::1:80x']) {
      expect(() => splitHostPort(l), l).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining('expected host:port') }));
    }
  });
});

describe('isLoopbackListen', () => {
  it('loopback addresses', () => {
    for (const l of ['127.0.0.1:8888', '127.1.2.3:1', 'localhost:8888', '[::1]:8888']) expect(isLoopbackListen(l), l).toBe(true);
  });

  it('anything else', () => {
    for (const l of ['0.0.0.0:8888', '[::]:8888', '10.0.0.1:8888', 'webhook.svc:8888', '127.0.0.1.example.com:80', ':8888']) expect(isLoopbackListen(l), l).toBe(false);
  });
});

describe('listen', () => {
  it('binds, reports the port the OS chose, serves, and closes', async () => {
    const server = createServer((_req, res) => res.end('hi'));
    const l = await listen(server, '127.0.0.1:0');
    expect(l.address).toMatch(/^http:\/\/127\.0\.0\.1:[1-9]\d*$/);
    expect(await (await fetch(l.address)).text()).toBe('hi');
    await l.close();
    expect(server.listening).toBe(false);
    await expect(fetch(l.address)).rejects.toThrow();
  });

  it('writes IPv6 addresses in brackets', async () => {
    const l = await listen(createServer(), '[::1]:0');
    try {
      expect(l.address).toMatch(/^http:\/\/\[::1\]:\d+$/);
    } finally {
      await l.close();
    }
  });

  it('rejects with the OS error when the address is taken', async () => {
    const first = await listen(createServer(), '127.0.0.1:0');
    try {
      await expect(listen(createServer(), first.address.replace('http://', ''))).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await first.close();
    }
  });
});
