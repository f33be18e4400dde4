import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { listen, splitHostPort } from './listen.js';

describe('splitHostPort', () => {
  it('host:port, [v6]:port, :port, and a host without a port', () => {
    expect(splitHostPort('127.0.0.1:9180')).toEqual({ host: '127.0.0.1', port: 9180 });
    expect(splitHostPort('[::1]:8080')).toEqual({ host: '::1', port: 8080 });
    expect(splitHostPort(':8080')).toEqual({ host: '0.0.0.0', port: 8080 });
    expect(splitHostPort('[::1]')).toEqual({ host: '::1' });
    expect(splitHostPort('localhost')).toEqual({ host: 'localhost' });
  });
});

describe('listen', () => {
  it('answers the bound address as a URL; a second bind of that port rejects; no port is refused', async () => {
    const a = createServer();
    const b = createServer();
    try {
      const address = await listen(a, '127.0.0.1:0');
      expect(address).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      await expect(listen(b, address.slice('http://'.length))).rejects.toMatchObject({ code: 'EADDRINUSE' });
      await expect(listen(b, '127.0.0.1')).rejects.toThrow('expected host:port to listen on, got "127.0.0.1"');
    } finally {
      a.close();
      b.close();
    }
  });
});
