import { X509Certificate } from 'node:crypto';
import type { AcmeClient, AcmeOrder } from '../acme/acme-client.js';
import { createCsr } from '../acme/csr.js';
import { dns01TxtValue } from '../acme/jws.js';
import { splitPemChain } from '../acme/preferred-chain.js';
import { AcmeProblem } from '../acme/problem.js';
import type { RenewalInfo } from '../acme/renewal-info.js';
import { challengeName } from '../domain-name.js';
import { CertfleetError, errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { tickWhile } from '../progress-ticker.js';
import type { Dns01Solver, TxtChallenge } from '../solver/dns01-solver.js';
import type { AccountStore } from '../store/certificate-store.js';
import { ariKnownUnsupported, issuerKey, readAriHint, savePace } from './acme-account.js';
import { ARI_UNSUPPORTED, type IssuedCertificate, type Issuer, type IssueRequest } from './issuer.js';

/** How long a failure to open the ACME account is answered from memory. */
const CLIENT_FAILURE_MEMORY_MS = 30_000;

export interface AcmeIssuerOptions {
  directory: string;
  /** Opens the client with its account (the factory binds the config's account settings). */
  open: (signal: AbortSignal) => Promise<AcmeClient>;
  accounts: AccountStore;
  solver: Pick<Dns01Solver, 'present' | 'wait' | 'cleanup'>;
  log: Logger;
  preferredChain?: string | undefined;
  now: () => number;
}

/**
 * An ACME CA (RFC 8555) with DNS-01: order, challenges through the solver, finalize, download.
 * Holds the client, opened on first need and shared by every certificate of the config.
 */
export class AcmeIssuer implements Issuer {
  readonly key: string;
  private clientPromise: Promise<AcmeClient> | undefined;
  private clientFailure: { until: number; error: CertfleetError } | undefined;
  private ariHint: Promise<boolean> | undefined;

  constructor(private readonly o: AcmeIssuerOptions) {
    this.key = issuerKey(o.directory);
  }

  async issue(req: IssueRequest, signal: AbortSignal): Promise<IssuedCertificate> {
    const client = await this.client(signal);
    // `replaces` only where the CA speaks ARI: it names the certificate this one succeeds.
    const replaces = req.replaces !== undefined && (await client.directory(signal)).renewalInfo !== undefined ? req.replaces : undefined;
    // The order (and, on a first request, the TLS handshake and directory) does not wait for the CSR.
    const [csr, order] = await Promise.all([req.key.then((k) => createCsr(k, req.domains)), newOrder({ domains: req.domains, profile: req.profile, replaces }, { client, log: this.o.log.child({ cert: req.name }) }, signal)]);
    const authzs = await Promise.all(order.authorizations.map((u) => client.getAuthorization(u, signal)));
    const pending: (TxtChallenge & { authzUrl: string; url: string; identifier: string })[] = [];
    for (const authz of authzs) {
      if (authz.status === 'valid') continue;
      const ch = authz.challenges.find((c) => c.type === 'dns-01');
      if (!ch) throw new CertfleetError('ACME_ORDER_INVALID', `${req.name}: the CA offers no dns-01 challenge for ${authz.identifier.value}`);
      pending.push({ authzUrl: authz.url, url: ch.url, identifier: `${authz.wildcard ? '*.' : ''}${authz.identifier.value}`, fqdn: challengeName(authz.identifier.value), value: dns01TxtValue(ch.token, client.thumbprint) });
    }
    if (pending.length > 0) {
      const presented = await this.o.solver.present({ certificate: req.name, dns: req.dns, followCnames: req.followCnames, lease: req.lease, background: req.background }, pending, signal);
      // TXT cleanup starts once the challenges are answered and runs beside finalize and download.
      try {
        await this.o.solver.wait(presented, signal);
        await Promise.all(pending.map((p) => client.respondToChallenge(p.url, signal)));
        const results = await validated(pending.map((p) => ({ identifier: p.identifier, wait: () => client.waitForAuthorization(p.authzUrl, signal) })), this.o.log.child({ cert: req.name }));
        const failed = results.filter((a) => a.status !== 'valid');
        if (failed.length > 0) {
          const why = failed.map((a) => `${a.identifier.value}: ${JSON.stringify(a.challenges.find((c) => c.type === 'dns-01')?.error ?? a.status)}`).join('; ');
          throw new CertfleetError('ACME_ORDER_INVALID', `${req.name}: validation failed: ${why}`);
        }
      } finally {
        req.background(this.o.solver.cleanup(presented));
      }
    }
    const done = await client.finalize(order, csr, signal);
    if (done.status !== 'valid' || !done.certificate) {
      throw new CertfleetError('ACME_ORDER_INVALID', `${req.name}: order ${done.url} ended ${done.status}${done.error ? `: ${JSON.stringify(done.error)}` : ''}`);
    }
    const chain = splitPemChain(await client.downloadCertificate(done.certificate, signal, this.o.preferredChain));
    return { chain, account: client.account ?? '', orderUrl: order.url, directory: client.directoryUrl };
  }

  async renewalInfo(cert: { ariCertId: string | undefined; certPem: () => Promise<string> }, signal: AbortSignal): Promise<RenewalInfo | undefined | typeof ARI_UNSUPPORTED> {
    // Before the account is opened (a TLS handshake and the directory): what an earlier process
    // learned of this CA. Nothing due and no ARI at the CA then means no request at all.
    if (!this.clientPromise && (await this.knownWithoutAri(signal))) return ARI_UNSUPPORTED;
    const client = await this.client(signal);
    if ((await client.directory(signal)).renewalInfo === undefined) return ARI_UNSUPPORTED;
    const certId = cert.ariCertId ?? (await import('../acme/ari-cert-id.js')).ariCertId(await cert.certPem());
    return client.renewalInfo(certId, signal);
  }

  knownWithoutRenewalInfo(signal: AbortSignal): Promise<boolean> {
    return this.knownWithoutAri(signal);
  }

  async revoke(certPem: string, reason: number, signal: AbortSignal): Promise<void> {
    const client = await this.client(signal);
    await client.revoke(new X509Certificate(certPem).raw, reason, signal);
  }

  async close(): Promise<void> {
    const client = await this.clientPromise?.catch(() => undefined);
    if (!client) return;
    await savePace(this.o.accounts, this.o.directory, client, AbortSignal.timeout(5_000), this.o.now()).catch((err: unknown) => this.o.log.debug({ error: errorMessage(err) }, 'pace_not_saved'));
    await client.close();
  }

  /** Whether the stored hint says, fresh, that this CA has no ARI; read once per process, unreadable is "ask". */
  private knownWithoutAri(signal: AbortSignal): Promise<boolean> {
    this.ariHint ??= readAriHint(this.o.accounts, this.o.directory, signal).then((h) => ariKnownUnsupported(h, this.o.now()), () => false);
    return this.ariHint;
  }

  /**
   * The ACME client with its account, opened once. A failure is remembered for a while, so
   * a thousand jobs starting while the CA is down fail at once instead of each retrying.
   */
  private client(signal: AbortSignal): Promise<AcmeClient> {
    if (this.clientFailure && this.o.now() < this.clientFailure.until) return Promise.reject(this.clientFailure.error);
    this.clientPromise ??= this.o.open(signal).catch((err: unknown) => {
      this.clientPromise = undefined;
      if (signal.aborted) throw err;
      const error = err instanceof CertfleetError
        ? new CertfleetError(err.code, `ACME account: ${err.message}`, { retryable: err.retryable, cause: err })
        : new CertfleetError('ACME_UNREACHABLE', `ACME account: ${errorMessage(err)}`, { retryable: true, cause: err });
      this.clientFailure = { until: this.o.now() + CLIENT_FAILURE_MEMORY_MS, error };
      throw error;
    });
    return this.clientPromise;
  }
}

/**
 * Waits for every authorization (the CA checking the TXT records can take a while), logging
 * `acme_validation_pending` with the ones still pending at the start and every 5 s.
 */
export async function validated<T>(authorizations: { identifier: string; wait: () => Promise<T> }[], log: Pick<Logger, 'info'>, everyMs?: number): Promise<T[]> {
  const pending = new Set(authorizations.map((a) => a.identifier));
  const stop = tickWhile((ms) => log.info({ pending: [...pending], of: authorizations.length, elapsed_s: Math.round(ms / 1000) }, 'acme_validation_pending'), everyMs);
  try {
    return await Promise.all(authorizations.map(async (a) => {
      const answer = await a.wait();
      pending.delete(a.identifier);
      return answer;
    }));
  } finally {
    stop();
  }
}

/** newOrder with `replaces`; when the CA says that certificate was already replaced, once more without. */
export async function newOrder(req: { domains: string[]; profile?: string | undefined; replaces?: string | undefined }, ctx: { client: AcmeClient; log: Logger }, signal: AbortSignal): Promise<AcmeOrder> {
  const base = { identifiers: req.domains.map((value) => ({ type: 'dns' as const, value })), ...(req.profile ? { profile: req.profile } : {}) };
  ctx.log.debug({ replaces: req.replaces, profile: req.profile }, 'new_order');
  if (!req.replaces) return ctx.client.newOrder(base, signal);
  try {
    return await ctx.client.newOrder({ ...base, replaces: req.replaces }, signal);
  } catch (err) {
    if (!(err instanceof AcmeProblem) || err.shortType !== 'alreadyReplaced') throw err;
    ctx.log.warn({ replaces: req.replaces }, 'already_replaced');
    return ctx.client.newOrder(base, signal);
  }
}
