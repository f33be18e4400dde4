import { certificateName, type Config } from '../config/schema.js';
import type { DeployResult } from '../deploy/run-deploy.js';
import type { CertificateSpec, DeployRunner } from '../issue/renewer.js';
import type { Logger } from '../log.js';
import type { LocalCertificateDirectory } from '../store/certificate-store.js';

/** Deploy actions from the config, run on this host's copy of the certificate; loaded on first use. */
export function configuredDeploy(o: {
  containers: Config['containers'];
  local: Pick<LocalCertificateDirectory, 'paths'>;
  /** The store's root, which the permissions action walks from (until it uses the local directory). */
  storeRoot: string;
  log: Logger;
  onDeploy?: ((result: DeployResult) => void) | undefined;
}): DeployRunner {
  return {
    async run(spec: CertificateSpec, event, meta, signal) {
      if (spec.deploy.length === 0) return [];
      const [{ buildActions }, { runDeploy }] = await Promise.all([import('../deploy/build-actions.js'), import('../deploy/run-deploy.js')]);
      const name = certificateName(spec);
      const ev = { event, name, domains: spec.domains, paths: o.local.paths(name), notAfter: meta.notAfter, storeRoot: o.storeRoot };
      return runDeploy(buildActions(spec.deploy, o.containers), ev, o.log.child({ cert: name, component: 'deploy' }), signal, o.onDeploy);
    },
  };
}
