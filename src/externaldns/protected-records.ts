/** Why the webhook refuses to write a record, as counted in certfleet_webhook_refused_total{reason}. */
export type RefusalReason = 'zone_apex' | 'acme_challenge';

/**
 * Records the webhook never writes, whatever ExternalDNS (or whoever reaches the port) asks:
 * - the zone's apex NS and SOA: they are the DNS admin's, and rewriting them hijacks or breaks
 *   the whole zone;
 * - any name with an `_acme-challenge` label, unless the operator allows it: a TXT (or a CNAME
 *   or NS delegating it) there lets its writer obtain certificates for the name from any CA.
 * `name` and `zone` are normalised (lower case, no trailing dot); `type` upper case.
 */
export function refusalReason(name: string, type: string, zone: string, allowAcmeChallenge: boolean): RefusalReason | undefined {
  if (name === zone && (type === 'NS' || type === 'SOA')) return 'zone_apex';
  if (!allowAcmeChallenge && isAcmeChallengeName(name)) return 'acme_challenge';
  return undefined;
}

export function isAcmeChallengeName(name: string): boolean {
  return name.split('.').some((label) => label.startsWith('_acme-challenge'));
}

export function refusalMessage(name: string, type: string, reason: RefusalReason): string {
  return reason === 'zone_apex'
    ? `${name} ${type}: the zone's apex ${type} is never written by the webhook (it belongs to the DNS admin)`
    : `${name} ${type}: _acme-challenge names are not written unless webhook.allow_acme_challenge is true (a record there can obtain certificates for the name)`;
}
