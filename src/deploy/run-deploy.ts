import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { CertificateEvent, DeployAction } from './deploy-action.js';

export interface DeployResult {
  kind: string;
  describe: string;
  result: 'ok' | 'failed' | 'skipped';
  ms: number;
  error?: string;
  /** Whether the action is `required` (a failed one is retried: src/scheduler/deploy-retry.ts). */
  required?: boolean;
}

/**
 * Runs the actions in the user's order, each under its own timeout. A failure is logged and
 * reported, never undoes the certificate, and stops the remaining actions only when the
 * failed action is `required`.
 */
export async function runDeploy(actions: DeployAction[], event: CertificateEvent, log: Logger, signal: AbortSignal, onResult: (r: DeployResult) => void = () => {}): Promise<DeployResult[]> {
  const results: DeployResult[] = [];
  let stopped: string | undefined;
  for (const action of actions) {
    const alog = log.child({ action: action.kind });
    if (stopped) {
      const r: DeployResult = { kind: action.kind, describe: action.describe, required: action.required, result: 'skipped', ms: 0, error: `skipped: required action ${stopped} failed` };
      results.push(r);
      onResult(r);
      continue;
    }
    const started = performance.now();
    const actionSignal = AbortSignal.any([signal, AbortSignal.timeout(action.timeoutMs)]);
    let r: DeployResult;
    try {
      await action.run(event, { log: alog, signal: actionSignal });
      r = { kind: action.kind, describe: action.describe, required: action.required, result: 'ok', ms: performance.now() - started };
      alog.info({ ms: Math.round(r.ms), what: action.describe }, 'deploy_ok');
    } catch (err) {
      const error = actionSignal.aborted && !signal.aborted ? `${action.describe}: timed out after ${action.timeoutMs} ms` : errorMessage(err);
      r = { kind: action.kind, describe: action.describe, required: action.required, result: 'failed', ms: performance.now() - started, error };
      alog.error({ error, required: action.required }, 'deploy_failed');
      if (action.required) stopped = action.describe;
      if (signal.aborted) stopped ??= 'shutdown';
    }
    results.push(r);
    onResult(r);
  }
  return results;
}
