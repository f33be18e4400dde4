import { X509Certificate, type KeyObject } from 'node:crypto';
import type { AcmeAuthorization, AcmeClient, AcmeOrder } from '../acme/acme-client.js';
import { AcmeProblem } from '../acme/problem.js';
import { ariCertId } from '../acme/ari-cert-id.js';
import { dns01TxtValue } from '../acme/jws.js';
import { createCsr } from '../acme/csr.js';
import { generatePrivateKey, parsePrivateKey, privateKeyPem, type KeyType } from '../acme/keys.js';
import { splitPemChain } from '../acme/preferred-chain.js';
import { challengeName } from '../domain-name.js';
import { CertfleetError, errorMessage } from '../errors.js';
import type { DnsLookup } from '../dns/dns-lookup.js';
import { relativeName, type DnsProvider } from '../dns/dns-provider.js';
import { authoritativeServers, waitForTxt, type PropagationOptions } from '../dns/propagation.js';
import { findZone } from '../dns/zone-finder.js';
import { followCnames } from '../dns/cname-chain.js';
import type { Logger } from '../log.js';
import type { CertificatePaths, FileStore } from '../store/file-store.js';
import type { PendingTxt } from '../scheduler/renewal-policy.js';
import { provablyNotWritten, retryDns } from '../dns/dns-retry.js';
import { PendingTxtLedger, recordOf } from './pending-txt.js';
import { StateUpdates } from './state-updates.js';
import { lockTxtNames } from './txt-name-locks.js';

export interface DnsRoute {
  provider: DnsProvider;
  ttl: number;
  propagation: PropagationOptions;
}

export interface CertificateRequest {
  name: string;
  domains: string[];
  keyType: KeyType;
  reuseKey: boolean;
  /** The provider and its settings for the name a challenge record goes to (after CNAMEs). */
  dns: (fqdn: string) => DnsRoute;
  /** Follow a CNAME at `_acme-challenge.<domain>` and write where the chain ends. */
  followCnames?: boolean;
  profile?: string | undefined;
  preferredChain?: string | undefined;
  /** ARI identifier of the certificate this one replaces (RFC 9773 §5). */
  replaces?: string | undefined;
  /** Reports how long DNS propagation took (metrics). */
  onPropagated?: (ms: number) => void;
}

export interface IssueContext {
  client: AcmeClient;
  store: FileStore;
  lookup: DnsLookup;
  log: Logger;
  /** Fresh budget for TXT cleanup, which runs even when the issuance was aborted. */
  cleanupTimeoutMs?: number;
  /**
   * Takes the TXT cleanup when it is still running as the certificate is ready, so the caller
   * gets its certificate without waiting on DNS and awaits the cleanup before it exits
   * (Renewer.close). Without it, the cleanup is awaited here.
   */
  background?: (task: Promise<void>) => void;
  /** How long a TXT write or a DNS lookup is retried (default 15 s: a DNS server restart takes seconds). */
  writeRetryMs?: number;
  /** Where the certificate notes the TXT values it writes (default: its state file, no sharing). */
  ledger?: PendingTxtLedger;
}

interface PendingChallenge { authz: AcmeAuthorization; url: string; fqdn: string; value: string }

/** One certificate end to end: key + CSR, order, DNS-01, propagation, finalize, atomic save. */
export async function obtainCertificate(req: CertificateRequest, ctx: IssueContext, signal: AbortSignal): Promise<CertificatePaths> {
  // The order (and, on a first request, the TLS handshake and directory) does not need the key:
  // both go at once.
  const keyReady = (async () => {
    const existing = req.reuseKey ? await ctx.store.load(req.name) : undefined;
    const key: KeyObject = existing ? parsePrivateKey(existing.pem.privkey) : await generatePrivateKey(req.keyType);
    return { key, csr: await createCsr(key, req.domains) };
  })();
  const [{ key, csr }, order] = await Promise.all([keyReady, newOrder(req, ctx, signal)]);
  const authzs = await Promise.all(order.authorizations.map((u) => ctx.client.getAuthorization(u, signal)));
  const pending: PendingChallenge[] = [];
  for (const authz of authzs) {
    if (authz.status === 'valid') continue;
    const ch = authz.challenges.find((c) => c.type === 'dns-01');
    if (!ch) throw new CertfleetError('ACME_ORDER_INVALID', `${req.name}: the CA offers no dns-01 challenge for ${authz.identifier.value}`);
    pending.push({ authz, url: ch.url, fqdn: challengeName(authz.identifier.value), value: dns01TxtValue(ch.token, ctx.client.thumbprint) });
  }

  // TXT cleanup starts once the challenges are answered and runs beside finalize, download and
  // save; on every path it is either awaited here or handed to ctx.background, never dropped.
  const cleanups: Promise<void>[] = [];
  try {
    if (pending.length > 0) await validate(req, ctx, pending, signal, cleanups);

    const done = await ctx.client.finalize(order, csr, signal);
    if (done.status !== 'valid' || !done.certificate) {
      throw new CertfleetError('ACME_ORDER_INVALID', `${req.name}: order ${done.url} ended ${done.status}${done.error ? `: ${JSON.stringify(done.error)}` : ''}`);
    }
    const fullchain = await ctx.client.downloadCertificate(done.certificate, signal, req.preferredChain);
    const certs = splitPemChain(fullchain);
    if (certs.length === 0) throw new CertfleetError('ACME_BAD_RESPONSE', `${req.name}: the CA returned no certificate`);
    const leaf = new X509Certificate(certs[0]!);
    if (!leaf.checkPrivateKey(key)) throw new CertfleetError('ACME_BAD_RESPONSE', `${req.name}: the CA returned a certificate for another key`);
    return ctx.store.save({
      meta: {
        name: req.name,
        domains: req.domains,
        keyType: req.keyType,
        notBefore: new Date(leaf.validFrom).toISOString(),
        notAfter: new Date(leaf.validTo).toISOString(),
        issuer: leaf.issuer.replace(/\n/g, ', '),
        serial: leaf.serialNumber,
        account: ctx.client.account ?? '',
        orderUrl: order.url,
        issuedAt: new Date().toISOString(),
        ariCertId: ariCertId(certs[0]!),
        directory: ctx.client.directoryUrl,
      },
      pem: { cert: certs[0]!, chain: certs.slice(1).join(''), fullchain: certs.join(''), privkey: privateKeyPem(key) },
    });
  } finally {
    const cleanup = Promise.all(cleanups).then(() => undefined);
    if (ctx.background) ctx.background(cleanup);
    else await cleanup;
  }
}

/** newOrder with `replaces`; when the CA says that certificate was already replaced, once more without. */
export async function newOrder(req: Pick<CertificateRequest, 'domains' | 'profile' | 'replaces'>, ctx: Pick<IssueContext, 'client' | 'log'>, signal: AbortSignal): Promise<AcmeOrder> {
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

/** Publishes every TXT value, waits for every authoritative server, answers, and always removes exactly what it added. */
async function validate(req: CertificateRequest, ctx: IssueContext, pending: PendingChallenge[], signal: AbortSignal, cleanups: Promise<void>[]): Promise<void> {
  // Where each record goes: the end of the CNAME chain, its zone, and the provider routed there.
  interface Group { route: DnsRoute; zone: string; list: { target: string; value: string }[] }
  const groups = new Map<string, Group>();
  const zoneOf = new Map<string, Promise<string>>();
  const targetOf = new Map<string, Promise<string>>();
  // A resolver restarting refuses queries for a moment: lookups are retried like writes.
  const retrying = <T>(op: (s: AbortSignal) => Promise<T>) => retryDns(op, signal, {
    deadline: AbortSignal.timeout(ctx.writeRetryMs ?? 15_000),
    onRetry: (err, attempt) => ctx.log.debug({ attempt, error: errorMessage(err) }, 'dns_lookup_retry'),
  });
  await Promise.all(pending.map(async (p) => {
    if (!targetOf.has(p.fqdn)) targetOf.set(p.fqdn, req.followCnames === false ? Promise.resolve(p.fqdn) : retrying((s) => followCnames(ctx.lookup, p.fqdn, s)).then((c) => c.target));
    const target = await targetOf.get(p.fqdn)!;
    const route = req.dns(target);
    if (!zoneOf.has(target)) zoneOf.set(target, retrying((s) => findZone(ctx.lookup, target, s)));
    const zone = await zoneOf.get(target)!;
    const key = `${route.provider.id} ${zone}`;
    const g = groups.get(key) ?? { route, zone, list: [] };
    g.list.push({ target, value: p.value });
    groups.set(key, g);
  }));
  const entriesOf = (g: Group): PendingTxt[] => g.list.map((p) => ({ provider: g.route.provider.id, zone: g.zone, name: p.target, value: p.value, ttl: g.route.ttl }));
  const ledger = ctx.ledger ?? new PendingTxtLedger(new StateUpdates(ctx.store), req.name);

  // Every name this certificate writes is ours from before the write until after its cleanup:
  // another certificate (here or in another process) sharing it waits, and cannot lose our value
  // in a provider's read-merge-replace, nor we its.
  const unlock = await lockTxtNames(ctx.store, [...groups.values()].flatMap((g) => g.list.map((p) => p.target)), signal);
  /** Per group: whether a write was sent that may have landed (then it must be deleted). */
  const sent = new Map<Group, boolean>();
  let recorded = false;
  try {
    await ledger.record([...groups.values()].flatMap(entriesOf), signal);
    recorded = true;
    const appends = await Promise.allSettled([...groups.values()].map(async (g) => {
      const records = g.list.map((p) => ({ name: relativeName(p.target, g.zone), type: 'TXT', data: p.value, ttl: g.route.ttl }));
      sent.set(g, false);
      await retryDns(async (s) => {
        try {
          const done = await g.route.provider.appendRecords(g.zone, records, s);
          sent.set(g, true);
          return done;
        } catch (err) {
          // A failure that proves nothing landed (refused connection, refused key) is not a write.
          if (!provablyNotWritten(err)) sent.set(g, true);
          throw err;
        }
      }, signal, { deadline: AbortSignal.timeout(ctx.writeRetryMs ?? 15_000), onRetry: (err, attempt) => ctx.log.debug({ zone: g.zone, attempt, error: errorMessage(err) }, 'txt_write_retry') });
    }));
    // All writes settled before any cleanup: a delete must not overtake a write still in flight.
    const notWritten = appends.find((a): a is PromiseRejectedResult => a.status === 'rejected');
    if (notWritten) throw notWritten.reason;
    const started = performance.now();
    await Promise.all([...groups.values()].map(async (g) => {
      const servers = g.route.propagation.nameservers ?? await authoritativeServers(ctx.lookup, g.zone, signal);
      const expected = new Map<string, string[]>();
      for (const p of g.list) expected.set(p.target, [...(expected.get(p.target) ?? []), p.value]);
      await waitForTxt(ctx.lookup, servers, expected, g.route.propagation, signal);
    }));
    const propagationMs = performance.now() - started;
    req.onPropagated?.(propagationMs);
    ctx.log.info({ ms: Math.round(propagationMs) }, 'propagated');

    await Promise.all(pending.map((p) => ctx.client.respondToChallenge(p.url, signal)));
    const results = await Promise.all(pending.map((p) => ctx.client.waitForAuthorization(p.authz.url, signal)));
    const failed = results.filter((a) => a.status !== 'valid');
    if (failed.length > 0) {
      const why = failed.map((a) => `${a.identifier.value}: ${JSON.stringify(a.challenges.find((c) => c.type === 'dns-01')?.error ?? a.status)}`).join('; ');
      throw new CertfleetError('ACME_ORDER_INVALID', `${req.name}: validation failed: ${why}`);
    }
  } finally {
    cleanups.push(recorded ? removeChallengeRecords(ctx, ledger, [...groups.values()].map((g) => ({ g, entries: entriesOf(g), sent: sent.get(g) ?? false }))).finally(unlock) : unlock());
  }
}

/**
 * Deletes what may have been written, retrying for the whole cleanup budget (a DNS server
 * restarting takes seconds), then forgets it in the ledger; what was provably never written is
 * only forgotten. What cannot be deleted stays in the ledger for the next look at the certificate.
 */
async function removeChallengeRecords(ctx: IssueContext, ledger: PendingTxtLedger, groups: { g: { route: DnsRoute; zone: string }; entries: PendingTxt[]; sent: boolean }[]): Promise<void> {
  const budget = AbortSignal.timeout(ctx.cleanupTimeoutMs ?? 30_000);
  const done: PendingTxt[] = [];
  await Promise.all(groups.map(async ({ g, entries, sent }) => {
    if (!sent) {
      done.push(...entries);
      return;
    }
    try {
      await retryDns((s) => g.route.provider.deleteRecords(g.zone, entries.map(recordOf), s), budget, {
        onRetry: (err, attempt) => ctx.log.debug({ zone: g.zone, attempt, error: errorMessage(err) }, 'cleanup_retry'),
      });
      done.push(...entries);
    } catch (err) {
      ctx.log.error({ zone: g.zone, provider: g.route.provider.id, names: [...new Set(entries.map((e) => e.name))], error: errorMessage(err) }, 'cleanup_failed');
    }
  }));
  await ledger.clear(done).catch((err: unknown) => ctx.log.error({ error: errorMessage(err) }, 'state_write_failed'));
}
