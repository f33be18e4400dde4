import { CertfleetError } from '../../errors.js';
import { absoluteName, type DnsProvider, type DnsRecord } from '../dns-provider.js';
import { buildUpdate, type TxtChange } from './dns-update.js';
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
 * leave the other values of the name alone, so no read-modify-write and no lock is needed.
 * Every answer must carry a valid signature of the same key.
 */
export class Rfc2136Provider implements DnsProvider {
  readonly id: string;
  private readonly server: ServerAddress;

  constructor(private readonly opts: Rfc2136Options) {
    this.id = opts.id;
    this.server = parseServer(opts.server);
  }

  async appendRecords(zone: string, records: DnsRecord[], signal: AbortSignal): Promise<DnsRecord[]> {
    const target = this.opts.zone ?? zone;
    await this.update(target, { add: this.changes(zone, records) }, signal);
    return records;
  }

  async deleteRecords(zone: string, records: DnsRecord[], signal: AbortSignal): Promise<DnsRecord[]> {
    const target = this.opts.zone ?? zone;
    await this.update(target, { remove: this.changes(zone, records) }, signal);
    return records;
  }

  private changes(zone: string, records: DnsRecord[]): TxtChange[] {
    return records.map((r) => {
      if (r.type !== 'TXT') throw new CertfleetError('DNS_PROVIDER', `RFC 2136 provider ${this.id}: only TXT records are supported, not ${r.type}`);
      return { fqdn: absoluteName(r.name, zone), value: r.data, ttl: r.ttl };
    });
  }

  private async update(zone: string, changes: { add?: TxtChange[]; remove?: TxtChange[] }, signal: AbortSignal): Promise<void> {
    const where = `RFC 2136 provider ${this.id} (${this.server.host}:${this.server.port}), zone ${zone}`;
    const now = this.opts.now ?? Date.now;
    const { signed, mac } = signMessage(buildUpdate(zone, changes), this.opts.key, now());
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
      5: `refused: key ${this.opts.key.name} may not update TXT records here (check the server's update policy)`,
      9: 'the server is not authoritative for this zone, or refused the key',
      10: 'a name is outside the zone',
      2: 'server failure',
    };
    return new CertfleetError(rcode === 5 || rcode === 9 ? 'DNS_AUTH' : 'DNS_PROVIDER', `${where}: ${name}: ${why[rcode] ?? 'update failed'}`, { retryable: rcode === 2 });
  }
}
