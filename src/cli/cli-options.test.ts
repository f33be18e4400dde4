import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config/load-config.js';
import { captureLog } from '../../test/support/test-log.js';
import { securityGate } from './cli-options.js';

describe('securityGate outside production mode', () => {
  it('logs each finding as one event with the problem in a field, not as the message', async () => {
    const config = parseConfig('acme: { directory: selfsigned }\nstore: { path: /nonexistent }\ndns:\n  providers:\n    none: { type: exec, command: [/bin/false] }\ncertificates:\n  - name: web\n    domains: [web.example.test]\n    dns: none\n', 'c.yaml');
    const cap = captureLog();
    expect(await securityGate(config, cap.log)).toBe(true);
    const records = cap.records();
    expect(records.length).toBeGreaterThan(0);
    expect(records.every((r) => r.msg === 'security_finding' && typeof r.problem === 'string' && typeof r.fix === 'string')).toBe(true);
    expect(records.map((r) => r.problem)).toContain('acme.directory is selfsigned: the development issuer, trusted by no client');
  });
});
