/**
 * When a failed deploy is tried again: a pure function of the last deploy's results and the
 * clock, beside the renewal policy. Only a failed **required** action is retried (an optional
 * one is reported and left: the user said it may fail); the certificate is not reissued.
 */

import type { DeployResult } from '../deploy/run-deploy.js';
import type { DeployState, RenewalState } from '../store/renewal-state.js';

/** 1 min, 5 min, then every 30 min until it succeeds. */
export const DEPLOY_RETRY_MS = [60_000, 300_000, 1_800_000] as const;

/**
 * The state after a deploy ran `results` at `now`, with errors passed through `redact`. A run
 * of no actions (none configured any more) forgets the last deploy and its retry.
 */
export function recordDeploy(state: RenewalState, results: DeployResult[], now: number, redact: (text: string) => string): RenewalState {
  const { deploy: previous, ...rest } = state;
  if (results.length === 0) return rest;
  const at = new Date(now).toISOString();
  const actions = results.map((r) => ({
    // The description is meant to hold no secret; redacted all the same, as the log line is.
    kind: r.kind, describe: redact(r.describe), required: r.required ?? false, result: r.result, at,
    ...(r.error === undefined ? {} : { error: redact(r.error) }),
  }));
  const deploy: DeployState = { actions, failures: 0 };
  if (actions.some((a) => a.required && a.result === 'failed')) {
    deploy.failures = (previous?.failures ?? 0) + 1;
    deploy.nextAttempt = new Date(now + DEPLOY_RETRY_MS[Math.min(deploy.failures, DEPLOY_RETRY_MS.length) - 1]!).toISOString();
  }
  return { ...rest, deploy };
}

/** When the failed deploy of `state` is retried, Unix ms; undefined when none is owed. */
export function deployRetryAt(state: RenewalState): number | undefined {
  return state.deploy?.nextAttempt === undefined ? undefined : Date.parse(state.deploy.nextAttempt);
}

/** The failed required actions of the last deploy, for a reason line ("hook x: exit 1"). */
export function failedRequired(deploy: DeployState | undefined): string[] {
  if (!deploy) return [];
  // An action's error usually starts with its description already ("hook /x: exit 1").
  return deploy.actions.filter((a) => a.required && a.result === 'failed')
    .map((a) => (!a.error ? a.describe : a.error.startsWith(a.describe) ? a.error : `${a.describe}: ${a.error}`));
}
