import { certificateName, type Config } from '../config/schema.js';
import type { DeployResult } from '../deploy/run-deploy.js';
import { errorMessage } from '../errors.js';
import type { CertificateSpec, DeployRunner } from '../issue/renewer.js';
import type { Logger } from '../log.js';
import { processRedactor } from '../redaction.js';
import { recordDeploy } from '../scheduler/deploy-retry.js';
import type { StateUpdates } from '../solver/state-updates.js';
import type { LocalCertificateDirectory } from '../store/certificate-store.js';

/** Deploy actions from the config, run on this host's copy of the certificate; loaded on first use. */
export function configuredDeploy(o: {
  containers: Config['containers'];
  local: LocalCertificateDirectory;
  log: Logger;
  onDeploy?: ((result: DeployResult) => void) | undefined;
  /**
   * Where each run's results are recorded (the renewal state, by compare-and-set: deploy runs
   * after the lock is released). Absent: not recorded, so nothing is retried.
   */
  updates?: Pick<StateUpdates, 'update'> | undefined;
  now?: (() => number) | undefined;
  /** Deploy errors may quote a hook's output or a URL: they are stored redacted. */
  redact?: ((text: string) => string) | undefined;
}): DeployRunner {
  const now = o.now ?? Date.now;
  const redact = o.redact ?? ((text: string) => processRedactor.redact(text));
  return {
    async run(spec: CertificateSpec, event, certificate, signal) {
      const name = certificateName(spec);
      let results: DeployResult[] = [];
      if (spec.deploy.length > 0) {
        const [{ buildActions }, { runDeploy }, { dnsProfile }] = await Promise.all([import('../deploy/build-actions.js'), import('../deploy/run-deploy.js'), import('../deploy/hook-action.js')]);
        const ev = { event, name, domains: spec.domains, profile: dnsProfile(spec.dns, spec.domains), certificate, local: o.local };
        results = await runDeploy(buildActions(spec.deploy, o.containers), ev, o.log.child({ cert: name, component: 'deploy' }), signal, o.onDeploy);
      }
      if (o.updates && !signal.aborted) await record(o.updates, name, results, now(), redact, o.log, signal);
      return results;
    },
  };
}

/**
 * Stores the results; a run without actions writes only to forget an earlier deploy (its actions
 * were removed from the config). A failed write is logged: the deploy itself happened.
 */
async function record(updates: Pick<StateUpdates, 'update'>, name: string, results: DeployResult[], at: number, redact: (text: string) => string, log: Logger, signal: AbortSignal): Promise<void> {
  try {
    await updates.update(name, (s) => (results.length === 0 && !s.deploy ? s : recordDeploy(s, results, at, redact)), 'compare-and-set', signal);
  } catch (err) {
    log.error({ cert: name, error: errorMessage(err) }, 'state_write_failed');
  }
}
