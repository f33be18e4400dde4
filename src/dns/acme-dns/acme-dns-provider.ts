import { CertfleetError } from '../../errors.js';
import { absoluteName, canonicalName } from '../../dns-name.js';
import type { DnsProvider, DnsRecord } from '../dns-provider.js';
import { missingFrom } from '../rrset.js';
import { poolFetch, type FetchLike, type FetchLikeResponse } from '../../http/pool-fetch.js';

export interface AcmeDnsAccount { username: string; password: string; subdomain: string; fulldomain?: string }

export interface AcmeDnsOptions {
  id: string;
  apiUrl: string;
  /** Credentials per certificate domain (a wildcard shares its base domain's). */
  accounts: Record<string, AcmeDnsAccount>;
  fetch?: FetchLike;
}

/**
 * acme-dns (joohoi/acme-dns): `_acme-challenge.<domain>` is a CNAME to the account's
 * `fulldomain`, and `POST /update` sets its TXT value with the account's own credentials, so no
 * zone-wide credentials exist anywhere. acme-dns keeps the two most recent values per account
 * (enough for an apex and its wildcard) and has no delete: old values are rotated out.
 */
export class AcmeDnsProvider implements DnsProvider {
  readonly id: string;
  private readonly base: string;
  private readonly fetch: FetchLike;

  constructor(private readonly opts: AcmeDnsOptions) {
    this.id = opts.id;
    this.base = opts.apiUrl.replace(/\/+$/, '');
    this.fetch = opts.fetch ?? poolFetch();
  }

  /** Every value sent is created (each update adds one, rotating out the oldest); a value given twice is sent once. */
  async appendRecords(zone: string, records: DnsRecord[], signal: AbortSignal): Promise<DnsRecord[]> {
    const created = missingFrom(zone, records, new Set());
    // One value at a time: acme-dns rotates, and two updates in flight may arrive in any order.
    for (const r of created) await this.update(this.accountFor(absoluteName(r.name, zone)), r.data, signal);
    return created;
  }

  /** acme-dns has no delete; the values expire by rotation, so nothing is deleted. */
  deleteRecords(): Promise<DnsRecord[]> {
    return Promise.resolve([]);
  }

  /** The account for a record name: the CNAME target (fulldomain/subdomain), or `_acme-challenge.<domain>`. */
  accountFor(fqdn: string): AcmeDnsAccount {
    const name = canonicalName(fqdn);
    const accounts = Object.entries(this.opts.accounts);
    const byTarget = accounts.find(([, a]) => (a.fulldomain !== undefined && canonicalName(a.fulldomain) === name) || name.startsWith(`${a.subdomain.toLowerCase()}.`));
    if (byTarget) return byTarget[1];
    const domain = name.replace(/^_acme-challenge\./, '');
    const byDomain = accounts.find(([d]) => canonicalName(d).replace(/^\*\./, '') === domain);
    if (byDomain) return byDomain[1];
    throw new CertfleetError('DNS_NO_PROVIDER', `acme-dns provider ${this.id}: no account for ${fqdn}; register one with \`certfleet acme-dns register\` and add it to accounts`);
  }

  private async update(account: AcmeDnsAccount, txt: string, signal: AbortSignal): Promise<void> {
    const where = `acme-dns provider ${this.id} (${this.base}), subdomain ${account.subdomain}`;
    let res: FetchLikeResponse;
    try {
      res = await this.fetch(`${this.base}/update`, {
        method: 'POST', signal,
        headers: { 'x-api-user': account.username, 'x-api-key': account.password, 'content-type': 'application/json' },
        body: JSON.stringify({ subdomain: account.subdomain, txt }),
      });
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      throw new CertfleetError('DNS_PROVIDER', `${where}: API unreachable: ${(err as Error).message}`, { retryable: true, cause: err });
    }
    if (res.ok) {
      await res.body?.cancel();
      return;
    }
    const body = await res.text();
    const error = (() => { try { return (JSON.parse(body) as { error?: string }).error; } catch { return undefined; } })();
    if (res.status === 401 || res.status === 403) throw new CertfleetError('DNS_AUTH', `${where}: credentials refused (HTTP ${res.status}${error ? `: ${error}` : ''})`);
    throw new CertfleetError('DNS_PROVIDER', `${where}: update failed (HTTP ${res.status}${error ? `: ${error}` : ''})`, { retryable: res.status >= 500 });
  }
}

/** `POST /register`: a new account (its password is a secret: store it, do not print it). */
export async function registerAcmeDnsAccount(apiUrl: string, signal: AbortSignal, allowFrom: string[] = [], fetchImpl: FetchLike = poolFetch()): Promise<Required<AcmeDnsAccount>> {
  const res = await fetchImpl(`${apiUrl.replace(/\/+$/, '')}/register`, {
    method: 'POST', signal, headers: { 'content-type': 'application/json' },
    body: JSON.stringify(allowFrom.length ? { allowfrom: allowFrom } : {}),
  });
  if (res.status !== 201 && res.status !== 200) throw new CertfleetError('DNS_PROVIDER', `acme-dns at ${apiUrl}: register failed (HTTP ${res.status})`);
  const a = await res.json() as Partial<Required<AcmeDnsAccount>>;
  if (!a.username || !a.password || !a.subdomain || !a.fulldomain) throw new CertfleetError('DNS_PROVIDER', `acme-dns at ${apiUrl}: register answered without username, password, subdomain and fulldomain`);
  return { username: a.username, password: a.password, subdomain: a.subdomain, fulldomain: a.fulldomain };
}
