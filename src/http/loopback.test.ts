import { describe, expect, it } from 'vitest';
import { isLoopbackListen } from './loopback.js';

describe('isLoopbackListen', () => {
  it('loopback addresses', () => {
    for (const l of ['127.0.0.1:8888', '127.1.2.3:1', 'localhost:8888', '[::1]:8888', '127.0.0.1', '[::1]']) expect(isLoopbackListen(l), l).toBe(true);
  });

  it('anything else', () => {
    for (const l of ['0.0.0.0:8888', '[::]:8888', '10.0.0.1:8888', 'webhook.svc:8888', '127.0.0.1.example.com:80', ':8888']) expect(isLoopbackListen(l), l).toBe(false);
  });
});
