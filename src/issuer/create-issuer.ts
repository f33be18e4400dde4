import { readFile } from 'node:fs/promises';
import type { AcmeClientOptions } from '../acme/acme-client.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import type { Dns01Solver } from '../solver/dns01-solver.js';
import type { AccountStore } from '../store/certificate-store.js';
import { issuerKey, openAccount } from './acme-account.js';
import { SELF_SIGNED, type Issuer } from './issuer.js';

export interface IssuerDeps {
  accounts: AccountStore;
  /** Built only when the issuer needs one (DNS-01). */
  solver: () => Dns01Solver;
  log: Logger;
  onRequest?: AcmeClientOptions['onRequest'];
  now: () => number;
}

/**
 * The one place the issuer is chosen: the self-signed development issuer for
 * `acme.directory: selfsigned`, otherwise the ACME CA at that directory. Each is loaded on first
 * use: an idle daemon, or an `issue` with nothing to do, never parses CSR or X.509 code.
 */
export function createIssuer(acme: Config['acme'], deps: IssuerDeps): Issuer {
  if (acme.directory === SELF_SIGNED) {
    return lazy(SELF_SIGNED, async () => {
      const { SelfSignedIssuer } = await import('./self-signed-issuer.js');
      return new SelfSignedIssuer({ accounts: deps.accounts, log: deps.log });
    }, false);
  }
  return lazy(issuerKey(acme.directory), async () => {
    const { AcmeIssuer } = await import('./acme-issuer.js');
    const clientOptions = { log: deps.log.child({ component: 'acme' }), ...(deps.onRequest ? { onRequest: deps.onRequest } : {}) };
    return new AcmeIssuer({
      directory: acme.directory,
      open: async (signal) => {
        const caBundle = acme.ca_bundle ? await readFile(acme.ca_bundle, { encoding: 'utf8', signal }) : undefined;
        const eab = acme.eab && { kid: acme.eab.kid, hmac_key: acme.eab.hmac_key.reveal() };
        return openAccount(deps.accounts, { directory: acme.directory, email: acme.email, eab, caBundle }, signal, clientOptions);
      },
      accounts: deps.accounts, solver: deps.solver(), log: deps.log, preferredChain: acme.preferred_chain, now: deps.now,
    });
  }, true);
}

/** An issuer whose module is imported on its first call; `acme` issuers have ARI and revocation. */
function lazy(key: string, load: () => Promise<Issuer>, acme: boolean): Issuer {
  let loaded: Promise<Issuer> | undefined;
  const get = () => {
    loaded ??= load();
    return loaded;
  };
  const issuer: Issuer = {
    key,
    issue: async (req, signal) => (await get()).issue(req, signal),
    close: async () => {
      if (loaded) await (await loaded).close();
    },
  };
  if (!acme) return issuer;
  return {
    ...issuer,
    renewalInfo: async (cert, signal) => (await get()).renewalInfo!(cert, signal),
    knownWithoutRenewalInfo: async (signal) => (await get()).knownWithoutRenewalInfo!(signal),
    revoke: async (pem, reason, signal) => (await get()).revoke!(pem, reason, signal),
  };
}
