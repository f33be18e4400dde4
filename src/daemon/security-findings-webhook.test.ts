import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config/load-config.js';
import { securityFindings } from './security-findings.js';

// Beside security-findings.test.ts (edited by others): the webhook's finding alone.
const config = (webhook: string, files: Record<string, string> = {}) => parseConfig(`acme: { directory: https://acme-v02.api.letsencrypt.org/directory }
store: { path: /nonexistent/certfleet, encryption_key_file: /run/secrets/store-key }
dns:
  providers:
    home: { type: powerdns, api_url: https://pdns.example.com, api_key: ${'k'.repeat(40)} }
webhook:
  provider: home
${webhook}`, '/etc/certfleet/c.yaml', { readSecretFile: (f) => { if (f in files) return files[f]!; throw Object.assign(new Error('missing'), { code: 'ENOENT' }); } });
const webhookFindings = async (webhook: string, files?: Record<string, string>) => (await securityFindings(config(webhook, files), { env: {}, uid: 1000 })).filter((f) => f.problem.startsWith('webhook.'));

describe('securityFindings: the webhook (issue 13 item 17)', () => {
  it('a non-loopback listen without a token is an error', async () => {
    expect(await webhookFindings('  listen: 0.0.0.0:8888')).toEqual([{
      severity: 'error',
      problem: 'webhook.listen 0.0.0.0:8888 is not a loopback address and webhook.token is not set: anyone who can reach the port can change the zone\'s records',
      fix: expect.stringMatching(/listen on 127\.0\.0\.1 .* or set webhook\.token_file/),
    }]);
    expect(await webhookFindings('  listen: "[::]:8888"')).toHaveLength(1);
  });

  it('loopback (the default) needs no token; a non-loopback listen with a long token_file is fine', async () => {
    expect(await webhookFindings('  listen: 127.0.0.1:8888')).toEqual([]);
    expect(await webhookFindings('')).toEqual([]);
    expect(await webhookFindings('  listen: 0.0.0.0:8888\n  token_file: token', { '/etc/certfleet/token': `${'t'.repeat(40)}\n` })).toEqual([]);
  });

  it('a short or placeholder token is an error like any secret', async () => {
    expect((await webhookFindings('  listen: 0.0.0.0:8888\n  token_file: token', { '/etc/certfleet/token': 'changeme\n' })).map((f) => f.problem)).toEqual(['webhook.token is a placeholder value']);
  });
});
