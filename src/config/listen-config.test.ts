import { describe, expect, it } from 'vitest';
import { parseConfig } from './load-config.js';

// The listen addresses of the schema: server.listen, webhook.listen, webhook.health_listen.
const parse = (server: string, webhook = '', token = ', token: t0ken') => parseConfig(`acme: { directory: letsencrypt }
dns:
  providers:
    home: { type: powerdns, api_url: https://pdns.example.com, api_key: k }
${server ? `server: { listen: "${server}"${token} }\n` : ''}webhook:
  provider: home
${webhook}`, 'c.yaml');

describe('listen addresses', () => {
  it('accept host:port, [v6]:port and port 0', () => {
    expect(parse('').server.listen).toBe('127.0.0.1:9180');
    expect(parse('0.0.0.0:9999').server.listen).toBe('0.0.0.0:9999');
    expect(parse('[::1]:0').server.listen).toBe('[::1]:0');
    expect(parse('', '  listen: "metrics.local:65535"\n').webhook!.listen).toBe('metrics.local:65535');
  });

  it('refuse an address without a port, naming the field (it once bound 9180 whatever the listener)', () => {
    expect(() => parse('0.0.0.0')).toThrow(/c\.yaml:\d+:\d+: server\.listen: expected host:port to listen on/);
    expect(() => parse('', '  listen: 0.0.0.0\n')).toThrow(/webhook\.listen: expected host:port to listen on/);
    expect(() => parse('', '  health_listen: "[::]"\n')).toThrow(/webhook\.health_listen: expected host:port to listen on/);
  });

  it('accept server.listen off loopback without a token (the dashboard is then closed; probes and metrics stay)', () => {
    expect(parse('0.0.0.0:9180', '', '').server.token).toBeUndefined();
    expect(parse('127.0.0.2:9180', '', '').server.token).toBeUndefined();
    expect(parse('[::1]:9180', '', '').server.listen).toBe('[::1]:9180');
    expect(String(parse('0.0.0.0:9180').server.token)).toBe('[redacted]');
  });

  it('refuse a port above 65535', () => {
    expect(() => parse('127.0.0.1:70000')).toThrow(/server\.listen: expected a port from 0 to 65535/);
  });
});
