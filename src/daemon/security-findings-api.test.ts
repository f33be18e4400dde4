import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config/load-config.js';
import { securityFindings } from './security-findings.js';

// Beside security-findings.test.ts (edited by others): the management API's findings alone.
const config = (api: string, files: Record<string, string> = {}) => parseConfig(`acme: { directory: https://acme-v02.api.letsencrypt.org/directory }
store: { path: /nonexistent/certfleet }
dns:
  providers:
    home: { type: powerdns, api_url: https://pdns.example.com, api_key: ${'k'.repeat(40)} }
server:
  api: ${api}
`, '/etc/certfleet/c.yaml', { readSecretFile: (f) => { if (f in files) return files[f]!; throw Object.assign(new Error('missing'), { code: 'ENOENT' }); } });
const apiFindings = async (api: string, files?: Record<string, string>) => (await securityFindings(config(api, files), { env: {}, uid: 1000 })).filter((f) => f.problem.startsWith('server.api'));
const token = { '/etc/certfleet/api-token': `${'t'.repeat(40)}\n` };

describe('securityFindings: the management API', () => {
  it('off loopback is an error: plain HTTP would carry the token in the clear', async () => {
    expect(await apiFindings('{ listen: "0.0.0.0:9181", token_file: api-token }', token)).toEqual([expect.objectContaining({ severity: 'error', problem: expect.stringMatching(/^server\.api\.listen 0\.0\.0\.0:9181 is not a loopback address/) })]);
  });

  it('on loopback with a long token from a file there is nothing to say; a short or inline token is a finding like any secret', async () => {
    expect(await apiFindings('{ token_file: api-token }', token)).toEqual([]);
    expect((await apiFindings('{ token: short }')).map((f) => f.problem)).toEqual(expect.arrayContaining([expect.stringMatching(/^server\.api\.token is shorter than/), expect.stringMatching(/^server\.api\.token is written in the config file/)]));
  });

  it('the token is required whenever server.api is set', () => {
    expect(() => config('{ listen: "127.0.0.1:9181" }')).toThrow(/server\.api\.token: required: a secret/);
  });
});
