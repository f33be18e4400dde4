import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { savedCertificate } from '../../test/support/saved-certificate.js';
import { captureLog } from '../../test/support/test-log.js';
import { parseConfig } from '../config/load-config.js';
import { StateUpdates } from '../solver/state-updates.js';
import { configuredDeploy } from './deploy-runner.js';

const T0 = Date.parse('2026-12-01T00:00:00Z');
let dir: string;
beforeEach(async () => { dir = await mkdtemp(path.join(tmpdir(), 'certfleet-deploy-runner-')); });
afterEach(() => rm(dir, { recursive: true, force: true }));

const specWith = (deploy: string) => parseConfig(`acme: { directory: selfsigned }\nstore: { path: ${dir} }\ndns:\n  providers:\n    none: { type: exec, command: [/bin/false] }\ncertificates:\n  - name: web\n    domains: [web.example.test]\n    dns: none\n    deploy: ${deploy}\n`, 'c.yaml').certificates[0]!;

describe('configuredDeploy records each run in the renewal state', () => {
  it('a failed required action: its result redacted and a retry a minute on; a run that succeeds (certfleet deploy) clears it; no actions forget it', async () => {
    const { store, certificate } = await savedCertificate(dir, { cert: 'c', chain: 'ch', fullchain: 'f', privkey: 'k' });
    const cap = captureLog();
    const runner = configuredDeploy({ containers: {} as never, local: store, log: cap.log, updates: new StateUpdates(store), now: () => T0, redact: (t) => t.replaceAll('tok-S3CRET', '[redacted]') });
    const signal = AbortSignal.timeout(20_000);

    const failing = specWith(`[{ hook: { command: ["${dir}/missing-tok-S3CRET"], required: true } }]`);
    expect((await runner.run(failing, 'issued', certificate, signal)).map((r) => r.result)).toEqual(['failed']);
    const deploy = (await store.readState('web', signal)).state.deploy!;
    expect(deploy).toMatchObject({ failures: 1, nextAttempt: new Date(T0 + 60_000).toISOString(), actions: [{ kind: 'hook', required: true, result: 'failed', at: new Date(T0).toISOString() }] });
    expect(deploy.actions[0]!.error).toContain('[redacted]');
    expect(JSON.stringify(deploy)).not.toContain('tok-S3CRET');

    const fixed = specWith('[{ hook: { command: [/bin/true], required: true } }]');
    expect((await runner.run(fixed, 'issued', certificate, signal)).map((r) => r.result)).toEqual(['ok']);
    expect((await store.readState('web', signal)).state.deploy).toEqual({ failures: 0, actions: [{ kind: 'hook', describe: expect.any(String) as string, required: true, result: 'ok', at: new Date(T0).toISOString() }] });

    expect(await runner.run(specWith('[]'), 'issued', certificate, signal)).toEqual([]);
    expect((await store.readState('web', signal)).state.deploy).toBeUndefined();
  });
});
