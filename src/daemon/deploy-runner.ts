import { certificateName, type Config } from '../config/schema.js';
import type { DeployResult } from '../deploy/run-deploy.js';
import type { CertificateSpec, DeployRunner } from '../issue/renewer.js';
import type { Logger } from '../log.js';
import type { LocalCertificateDirectory } from '../store/certificate-store.js';

/** Deploy actions from the config, run on this host's copy of the certificate; loaded on first use. */
export function configuredDeploy(o: {
  containers: Config['containers'];
  local: LocalCertificateDirectory;
  log: Logger;
  onDeploy?: ((result: DeployResult) => void) | undefined;
}): DeployRunner {
  return {
    async run(spec: CertificateSpec, event, certificate, signal) {
      if (spec.deploy.length === 0) return [];
      const [{ buildActions }, { runDeploy }, { dnsProfile }] = await Promise.all([import('../deploy/build-actions.js'), import('../deploy/run-deploy.js'), import('../deploy/hook-action.js')]);
      const name = certificateName(spec);
      const ev = { event, name, domains: spec.domains, profile: dnsProfile(spec.dns, spec.domains), certificate, local: o.local };
      return runDeploy(buildActions(spec.deploy, o.containers), ev, o.log.child({ cert: name, component: 'deploy' }), signal, o.onDeploy);
    },
  };
}
