import { CertfleetError } from '../../errors.js';
import { absoluteName, canonicalName } from '../../dns-name.js';
import type { DnsProvider, DnsRecord, RecordGetter, RecordSetter, RRsetName, ZoneLister } from '../dns-provider.js';
import { KeyedMutex } from '../keyed-mutex.js';
import { absoluteRRsetName, foundIn, missingFrom, recordsOf, rrsetsOf, valueKey } from '../rrset.js';
import { buildUpdate, buildZoneUpdate, type TxtChange } from './dns-update.js';
import { queryTxt } from './txt-query.js';
import { transferZone } from './zone-transfer.js';
import { exchange, parseServer, type ServerAddress } from './dns-transport.js';
import { RCODE_NAMES, readHeader } from './dns-wire.js';
import { readTsig, signMessage, verifyResponse, type TsigKey } from './tsig.js';

export interface Rfc2136Options {
  id: string;
  /** host:port of the primary that accepts updates. */
  server: string;
  key: TsigKey;
  /** Writes go to this zone instead of the one found by the SOA walk. */
  zone?: string;
  timeoutMs?: number;
  /** The clock that signs (tests use a skewed one to see BADTIME). */
  now?: () => number;
}

/**
 * RFC 2136 dynamic update signed with TSIG (RFC 8945), for BIND, Knot, PowerDNS, Technitium,
 * Windows DNS and appliances. An add of one TXT value and a delete of one value (class NONE)
 * leave the other values of the name alone. To return only what it changed, a call first asks
 * the primary which values are there, serialised per zone in this process (another writer in
 * between can still make the answer inexact, never the zone's data). Every answer to an UPDATE
 * must carry a valid signature of the same key.
 */
export class Rfc2136Provider implements DnsProvider, RecordGetter, RecordSetter, ZoneLister {
  readonly id: string;
  private readonly server: ServerAddress;
  private readonly locks = new KeyedMutex();

  constructor(private readonly opts: Rfc2136Options) {
    this.id = opts.id;
    this.server = parseServer(opts.server);
  }

  appendRecords(zone: string, records: DnsRecord[], signal: AbortSignal): Promise<DnsRecord[]> {
    return this.change(zone, records, signal, 'add');
  }

  deleteRecords(zone: string, records: DnsRecord[], signal: AbortSignal): Promise<DnsRecord[]> {
    return this.change(zone, records, signal, 'remove');
  }

  /** The configured `zone`; RFC 2136 cannot list zones (the webhook then uses its domain filter). */
  listZones(): Promise<string[]> {
    return Promise.resolve(this.opts.zone ? [this.opts.zone] : []);
  }

  async getRecords(zone: string, signal: AbortSignal): Promise<DnsRecord[]> {
    const sets = await transferZone(this.server, zone, this.opts.key, signal, this.opts.timeoutMs ?? 10_000).catch((err: unknown) => {
      if (signal.aborted || !(err instanceof CertfleetError)) throw err;
      throw new CertfleetError(err.code, `RFC 2136 provider ${this.id}: ${err.message}`, { retryable: err.retryable });
    });
    return recordsOf(zone, sets);
  }

  /** The whole change set of a zone as one signed UPDATE: the server applies it all or nothing. */
  async setRecords(zone: string, records: DnsRecord[], signal: AbortSignal, clear: RRsetName[] = []): Promise<DnsRecord[]> {
    const replace = rrsetsOf(zone, records);
    if (replace.length === 0 && clear.length === 0) return [];
    await this.send(zone, buildZoneUpdate(zone, { replace, remove: clear.map((c) => absoluteRRsetName(zone, c)) }), signal);
    return recordsOf(zone, replace);
  }

  private async change(zone: string, records: DnsRecord[], signal: AbortSignal, kind: 'add' | 'remove'): Promise<DnsRecord[]> {
    const target = this.opts.zone ?? zone;
    this.changes(zone, records); // refuses a type other than TXT before anything is sent
    return this.locks.run(canonicalName(target), async () => {
      const present = await this.present(zone, records, signal);
      // The primary would not say what it holds: report every value, as a write that may have landed.
      const changed = present === undefined ? missingFrom(zone, records, new Set())
        : kind === 'add' ? missingFrom(zone, records, present) : foundIn(zone, records, present);
      if (changed.length > 0) await this.update(target, { [kind]: this.changes(zone, changed) }, signal);
      return changed;
    });
  }

  /** recordKeys of the TXT values now at the records' names, or undefined when the primary will not answer. */
  private async present(zone: string, records: DnsRecord[], signal: AbortSignal): Promise<Set<string> | undefined> {
    const present = new Set<string>();
    for (const name of new Set(records.map((r) => canonicalName(absoluteName(r.name, zone))))) {
      let values: string[] | undefined;
      try {
        values = await queryTxt(this.server, name, signal, this.opts.timeoutMs ?? 5000);
      } catch (err) {
        if (signal.aborted) throw err;
        throw new CertfleetError('DNS_PROVIDER', `RFC 2136 provider ${this.id} (${this.server.host}:${this.server.port}), zone ${zone}: ${(err as Error).message}`, { retryable: true, cause: err });
      }
      if (values === undefined) return undefined;
      for (const data of values) present.add(valueKey(name, 'TXT', data));
    }
    return present;
  }

  private changes(zone: string, records: DnsRecord[]): TxtChange[] {
    return records.map((r) => {
      if (r.type !== 'TXT') throw new CertfleetError('DNS_PROVIDER', `RFC 2136 provider ${this.id}: only TXT records are supported, not ${r.type}`);
      return { fqdn: absoluteName(r.name, zone), value: r.data, ttl: r.ttl };
    });
  }

  private async update(zone: string, changes: { add?: TxtChange[]; remove?: TxtChange[] }, signal: AbortSignal): Promise<void> {
    await this.send(zone, buildUpdate(zone, changes), signal);
  }

  private async send(zone: string, message: Buffer, signal: AbortSignal): Promise<void> {
    const where = `RFC 2136 provider ${this.id} (${this.server.host}:${this.server.port}), zone ${zone}`;
    const now = this.opts.now ?? Date.now;
    const { signed, mac } = signMessage(message, this.opts.key, now());
    let answer: Buffer;
    try {
      answer = await exchange(this.server, signed, signal, this.opts.timeoutMs ?? 5000);
    } catch (err) {
      if (signal.aborted) throw err;
      throw new CertfleetError('DNS_PROVIDER', `${where}: ${(err as Error).message}`, { retryable: true, cause: err });
    }
    const rcode = readHeader(answer).flags & 0x0f;
    const tsig = readTsig(answer);
    if (tsig && tsig.error !== 0) throw this.tsigError(where, tsig.error, rcode);
    if (rcode !== 0) throw this.rcodeError(where, rcode);
    const verdict = verifyResponse(answer, this.opts.key, mac, now());
    if (!verdict.ok) throw new CertfleetError('DNS_AUTH', `${where}: ${verdict.reason}; the update may or may not have been applied`);
  }

  private tsigError(where: string, error: number, rcode: number): CertfleetError {
    const name = RCODE_NAMES[error] ?? `TSIG error ${error}`;
    const why = error === 17 ? `the server does not know key ${this.opts.key.name} (${this.opts.key.algorithm}), or does not accept it for this zone`
      : error === 16 ? `the server rejected the signature of key ${this.opts.key.name}: the secret or the algorithm differs`
      : error === 18 ? 'the clocks of this host and the server differ by more than 5 minutes'
      : `the server answered ${RCODE_NAMES[rcode] ?? rcode}`;
    return new CertfleetError('DNS_AUTH', `${where}: ${name}: ${why}`);
  }

  private rcodeError(where: string, rcode: number): CertfleetError {
    const name = RCODE_NAMES[rcode] ?? `rcode ${rcode}`;
    const why: Record<number, string> = {
      5: `refused: key ${this.opts.key.name} may not make this change (check the server's update policy), or the data failed the server's own checks (see its log)`,
      9: 'the server is not authoritative for this zone, or refused the key',
      10: 'a name is outside the zone',
      2: 'server failure',
    };
    return new CertfleetError(rcode === 5 || rcode === 9 ? 'DNS_AUTH' : 'DNS_PROVIDER', `${where}: ${name}: ${why[rcode] ?? 'update failed'}`, { retryable: rcode === 2 });
  }
}
