/** ExternalDNS webhook protocol shapes (ExternalDNS v0.17+, older capitalised keys accepted). */
export const WEBHOOK_MEDIA_TYPE = 'application/external.dns.webhook+json;version=1';

export interface Endpoint {
  dnsName?: string;
  targets?: string[];
  recordType?: string;
  setIdentifier?: string;
  recordTTL?: number;
  labels?: Record<string, string>;
  providerSpecific?: { name: string; value: string }[];
}

export interface Changes { create: Endpoint[]; updateOld: Endpoint[]; updateNew: Endpoint[]; delete: Endpoint[] }

export type DomainFilter = { include?: string[]; exclude?: string[] } | { regexInclude?: string; regexExclude?: string };

/** Reads a Changes body in either spelling (v0.17 camelCase, or the older Create/UpdateOld/...). */
export function parseChanges(body: unknown): Changes {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new TypeError('expected a JSON object with create, updateOld, updateNew, delete');
  const b = body as Record<string, unknown>;
  const list = (a: string, b2: string): Endpoint[] => {
    const v = b[a] ?? b[b2];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) throw new TypeError(`${a} must be a list of endpoints`);
    return v.map((e, i) => checkEndpoint(e, `${a}[${i}]`));
  };
  const changes = { create: list('create', 'Create'), updateOld: list('updateOld', 'UpdateOld'), updateNew: list('updateNew', 'UpdateNew'), delete: list('delete', 'Delete') };
  if (changes.updateOld.length !== changes.updateNew.length) throw new TypeError(`updateOld has ${changes.updateOld.length} endpoints but updateNew has ${changes.updateNew.length}`);
  return changes;
}

export function checkEndpoint(e: unknown, where: string): Endpoint {
  if (e === null || typeof e !== 'object' || Array.isArray(e)) throw new TypeError(`${where}: expected an endpoint object`);
  const ep = e as Endpoint;
  if (typeof ep.dnsName !== 'string' || ep.dnsName === '') throw new TypeError(`${where}: dnsName is required`);
  if (typeof ep.recordType !== 'string' || ep.recordType === '') throw new TypeError(`${where}: recordType is required`);
  if (ep.targets !== undefined && (!Array.isArray(ep.targets) || ep.targets.some((t) => typeof t !== 'string'))) throw new TypeError(`${where}: targets must be a list of strings`);
  if (ep.recordTTL !== undefined && (typeof ep.recordTTL !== 'number' || ep.recordTTL < 0)) throw new TypeError(`${where}: recordTTL must be a non-negative number`);
  return ep;
}

/** Lower case, no trailing dot: how names are compared and returned. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

export function matchesFilter(filter: DomainFilter, name: string): boolean {
  const n = normalizeName(name);
  if ('regexInclude' in filter || 'regexExclude' in filter) {
    const f = filter;
    // The operator's own patterns from the config (ExternalDNS's regex filter), not remote input.
    // eslint-disable-next-line security/detect-non-literal-regexp
    if (f.regexExclude && new RegExp(f.regexExclude).test(n)) return false;
    // eslint-disable-next-line security/detect-non-literal-regexp
    return !f.regexInclude || new RegExp(f.regexInclude).test(n);
  }
  const f = filter as { include?: string[]; exclude?: string[] };
  const under = (d: string) => n === normalizeName(d) || n.endsWith(`.${normalizeName(d)}`);
  if ((f.exclude ?? []).some(under)) return false;
  return !f.include?.length || f.include.some(under);
}

/** RFC 5952 text of an IPv6 address (lower case, longest zero run as ::), as Go and the WHATWG URL parser write it. */
export function canonicalIpv6(text: string): string {
  try {
    return new URL(`http://[${text}]/`).hostname.slice(1, -1);
  } catch {
    return text;
  }
}
