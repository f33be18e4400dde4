import { canonicalName } from '../dns-name.js';
import { dnsNameProblem } from './dns-name.js';

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

/** The largest TTL DNS allows (RFC 2181 §8); a provider may allow less. */
export const MAX_TTL = 2_147_483_647;

/** Reads a Changes body in either spelling (v0.17 camelCase, or the older Create/UpdateOld/...). */
export function parseChanges(body: unknown, maxTtl = MAX_TTL): Changes {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new TypeError('expected a JSON object with create, updateOld, updateNew, delete');
  const b = body as Record<string, unknown>;
  const list = (a: string, b2: string, ttlLimit: number): Endpoint[] => {
    const v = b[a] ?? b[b2];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) throw new TypeError(`${a} must be a list of endpoints`);
    return v.map((e, i) => checkEndpoint(e, `${a}[${i}]`, ttlLimit));
  };
  // Only TTLs that will be written are bounded: updateOld and delete describe records as they are
  // (one written with a huge TTL before must still be deletable).
  const changes = {
    create: list('create', 'Create', maxTtl), updateOld: list('updateOld', 'UpdateOld', Number.MAX_SAFE_INTEGER),
    updateNew: list('updateNew', 'UpdateNew', maxTtl), delete: list('delete', 'Delete', Number.MAX_SAFE_INTEGER),
  };
  if (changes.updateOld.length !== changes.updateNew.length) throw new TypeError(`updateOld has ${changes.updateOld.length} endpoints but updateNew has ${changes.updateNew.length}`);
  return changes;
}

/**
 * One endpoint from a request, checked before anything else looks at it: the name's length and
 * characters first (the domain filter's patterns must never see a 200 KB name), then the rest.
 */
export function checkEndpoint(e: unknown, where: string, maxTtl = MAX_TTL): Endpoint {
  if (e === null || typeof e !== 'object' || Array.isArray(e)) throw new TypeError(`${where}: expected an endpoint object`);
  const ep = e as Endpoint;
  if (typeof ep.dnsName !== 'string' || ep.dnsName === '') throw new TypeError(`${where}.dnsName: is required`);
  const nameProblem = dnsNameProblem(ep.dnsName);
  if (nameProblem) throw new TypeError(`${where}.dnsName: ${nameProblem}`);
  if (typeof ep.recordType !== 'string' || !/^[A-Za-z0-9]{1,16}$/.test(ep.recordType)) throw new TypeError(`${where}.recordType: expected a record type such as A or TXT`);
  if (ep.targets !== undefined && (!Array.isArray(ep.targets) || ep.targets.some((t) => typeof t !== 'string'))) throw new TypeError(`${where}.targets: expected a list of strings`);
  // 0 (or absent) is the protocol's "not configured": the default TTL is used.
  if (ep.recordTTL !== undefined && (typeof ep.recordTTL !== 'number' || !Number.isInteger(ep.recordTTL) || ep.recordTTL < 0 || ep.recordTTL > maxTtl)) {
    throw new TypeError(`${where}.recordTTL: expected a whole number of seconds from 1 to ${maxTtl} (or 0 for the default), got ${String(ep.recordTTL)}`);
  }
  return ep;
}


/**
 * The domain filter as a test of a name, its patterns compiled once (an invalid pattern throws
 * here, at start, not on a request). Callers give it only checked names (`dnsNameProblem`).
 */
export function compileFilter(filter: DomainFilter): (name: string) => boolean {
  if ('regexInclude' in filter || 'regexExclude' in filter) {
    // The operator's own patterns from the config (ExternalDNS's regex filter), not remote input.
    // eslint-disable-next-line security/detect-non-literal-regexp
    const exclude = filter.regexExclude ? new RegExp(filter.regexExclude) : undefined;
    // eslint-disable-next-line security/detect-non-literal-regexp
    const include = filter.regexInclude ? new RegExp(filter.regexInclude) : undefined;
    return (name) => {
      const n = canonicalName(name);
      return !exclude?.test(n) && (!include || include.test(n));
    };
  }
  const f = filter as { include?: string[]; exclude?: string[] };
  const include = (f.include ?? []).map(canonicalName);
  const exclude = (f.exclude ?? []).map(canonicalName);
  return (name) => {
    const n = canonicalName(name);
    const under = (d: string) => n === d || n.endsWith(`.${d}`);
    return !exclude.some(under) && (include.length === 0 || include.some(under));
  };
}

