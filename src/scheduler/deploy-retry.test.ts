import { describe, expect, it } from 'vitest';
import type { DeployResult } from '../deploy/run-deploy.js';
import { deployRetryAt, DEPLOY_RETRY_MS, failedRequired, recordDeploy } from './deploy-retry.js';
import { EMPTY_STATE } from './renewal-policy.js';

const T0 = Date.parse('2026-12-01T00:00:00Z');
const keep = (t: string) => t;
const ok: DeployResult = { kind: 'hook', describe: 'hook /bin/reload', required: true, result: 'ok', ms: 1 };
const failed: DeployResult = { kind: 'hook', describe: 'hook /bin/reload', required: true, result: 'failed', ms: 1, error: 'exit 1: token s3cr3t-value refused' };
const optional: DeployResult = { kind: 'webhook', describe: 'webhook to h.test', required: false, result: 'failed', ms: 1, error: 'HTTP 500' };

describe('recordDeploy', () => {
  it('retries a failed required action after 1 min, 5 min, then every 30 min', () => {
    let s = EMPTY_STATE;
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      s = recordDeploy(s, [failed], T0, keep);
      delays.push(deployRetryAt(s)! - T0);
    }
    expect(delays).toEqual([...DEPLOY_RETRY_MS, DEPLOY_RETRY_MS[2], DEPLOY_RETRY_MS[2]]);
    expect(s.deploy).toMatchObject({ failures: 5, actions: [{ kind: 'hook', result: 'failed', required: true, at: '2026-12-01T00:00:00.000Z' }] });
  });

  it('a run without a failed required action clears the retry; an optional failure is not retried', () => {
    const s = recordDeploy(recordDeploy(EMPTY_STATE, [failed], T0, keep), [ok, optional], T0 + 60_000, keep);
    expect(s.deploy).toEqual({ failures: 0, actions: [
      { kind: 'hook', describe: 'hook /bin/reload', required: true, result: 'ok', at: '2026-12-01T00:01:00.000Z' },
      { kind: 'webhook', describe: 'webhook to h.test', required: false, result: 'failed', at: '2026-12-01T00:01:00.000Z', error: 'HTTP 500' },
    ] });
    expect(deployRetryAt(s)).toBeUndefined();
    expect(failedRequired(s.deploy)).toEqual([]);
  });

  it('stores errors redacted, keeps the renewal fields, and forgets the deploy when no action ran', () => {
    const before = { ...EMPTY_STATE, failures: 2, lastResult: 'failed' as const };
    const s = recordDeploy(before, [failed], T0, (t) => t.replace('s3cr3t-value', '[redacted]'));
    expect(s.deploy!.actions[0]!.error).toBe('exit 1: token [redacted] refused');
    expect(failedRequired(s.deploy)).toEqual(['hook /bin/reload: exit 1: token [redacted] refused']);
    expect(s).toMatchObject({ failures: 2, lastResult: 'failed' });
    expect(recordDeploy(s, [], T0, keep)).toEqual(before);
  });
});
