import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/load-config.js';
import { securityFindings } from '../src/daemon/security-findings.js';
import { issueAll } from '../src/daemon/issue-run.js';
import { captureLog } from './support/test-log.js';

describe('self-signed development issuer (acme.directory: selfsigned)', () => {
  it('issues from a local CA without any CA or DNS server, warns every time, and production mode refuses it', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'certfleet-selfsigned-'));
    try {
      const text = `acme: { directory: selfsigned }\nstore: { path: ${dir} }\ndns:\n  providers:\n    none: { type: exec, command: [/bin/false] }\ncertificates:\n  - name: dev\n    domains: [dev.example.test, "*.dev.example.test"]\n    dns: none\n    key_type: ecdsa-p384\n`;
      const config = parseConfig(text, 'c.yaml');
      const cap = captureLog();
      expect(await issueAll(config, cap.log, {}, AbortSignal.timeout(30_000))).toMatchObject([{ name: 'dev', result: 'issued' }]);
      expect(await issueAll(config, cap.log, { force: true }, AbortSignal.timeout(30_000))).toMatchObject([{ name: 'dev', result: 'renewed' }]);
      expect(cap.records().filter((r) => r.msg === 'self_signed_certificate')).toHaveLength(2);
      const live = path.join(dir, 'live', 'dev');
      // The chain verifies against the store's development CA, for both names, with the P-384 key.
      const ca = path.join(dir, 'accounts', 'selfsigned', 'ca.pem');
      const { stdout } = await promisify(execFile)('openssl', ['verify', '-CAfile', ca, path.join(live, 'cert.pem')]);
      expect(stdout).toMatch(/: OK/);
      const text2 = (await promisify(execFile)('openssl', ['x509', '-in', path.join(live, 'cert.pem'), '-noout', '-text'])).stdout;
      expect(text2).toMatch(/DNS:dev\.example\.test, DNS:\*\.dev\.example\.test/);
      expect(text2).toMatch(/secp384r1|P-384/);
      expect(await readFile(path.join(live, 'chain.pem'), 'utf8')).toBe(await readFile(ca, 'utf8'));
      expect((await securityFindings(config, { env: {}, uid: 1000 })).map((f) => f.problem)).toContain('acme.directory is selfsigned: the development issuer, trusted by no client');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
