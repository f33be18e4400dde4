import { canonicalName } from '../dns-name.js';
import { unquoteTxt } from './txt-presentation.js';

/*
 * Record values as the REST DNS APIs spell them, converted to and from DnsRecord's `data`: TXT as
 * its text, host names absolute without the trailing dot, MX as "priority host" (most APIs keep
 * the priority in a field of its own).
 */

const HOST_TYPES = new Set(['CNAME', 'NS', 'PTR', 'ALIAS', 'ANAME']);

/**
 * An API's value (and MX priority field, when it has one) as DnsRecord data. `quotedTxt`: the
 * API keeps TXT in presentation form ("…"), not as the text itself.
 */
export function dataFromApi(type: string, value: string, opts: { priority?: number | null; quotedTxt: boolean }): string {
  if (type === 'TXT') return opts.quotedTxt ? unquoteTxt(value) : value;
  if (HOST_TYPES.has(type)) return canonicalName(value);
  if (type === 'MX') {
    const parts = value.trim().split(/\s+/);
    // Some APIs put "10 mail.example.com." in the value, others only the host.
    return parts.length === 2 ? `${Number(parts[0])} ${canonicalName(parts[1]!)}` : `${opts.priority ?? 0} ${canonicalName(value)}`;
  }
  return value;
}

/** An MX record's data split for APIs with a priority field; other types have priority undefined. */
export function mxParts(type: string, data: string): { value: string; priority?: number } {
  if (type !== 'MX') return { value: data };
  const [priority, host] = data.trim().split(/\s+/);
  return { value: host ?? '', priority: Number(priority) };
}
