import { createServer } from 'node:http';
import { connect } from 'node:net';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { connectionChecksRunning } from './connection-checks.js';
import { listen } from './listen.js';

describe('checkConnectionsWhileOpen (through listen)', () => {
  it('runs Node\'s connection check only while a connection is open, and still enforces headersTimeout', async () => {
    const server = createServer({ connectionsCheckingInterval: 50 }, (_req, res) => res.end('ok'));
    server.headersTimeout = 200;
    server.requestTimeout = 300;
    try {
      const url = new URL(await listen(server, '127.0.0.1:0'));
      // Idle: no timer to wake the process.
      expect(connectionChecksRunning(server)).toBe(false);
      // A client that sends half its headers and stops (slowloris) is answered 408 and closed, as without this.
      const socket = connect(Number(url.port), url.hostname);
      await once(socket, 'connect');
      expect(connectionChecksRunning(server)).toBe(true);
      socket.write('GET / HTTP/1.1\r\nHost: x\r\n');
      let answer = '';
      socket.on('data', (b: Buffer) => { answer += b.toString(); });
      await once(socket, 'close');
      expect(answer).toMatch(/^HTTP\/1\.1 408/);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(connectionChecksRunning(server)).toBe(false);
      // And a second connection starts it again.
      const again = connect(Number(url.port), url.hostname);
      await once(again, 'connect');
      expect(connectionChecksRunning(server)).toBe(true);
      again.destroy();
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
