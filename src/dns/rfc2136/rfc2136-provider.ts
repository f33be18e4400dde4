import { CertfleetError } from '../../errors.js';
import { absoluteName, type DnsProvider, type DnsRecord } from '../dns-provider.js';
import type { RecordBackend, RRset } from '../../externaldns/record-backend.js';
import { buildUpdate, buildZoneUpdate, type TxtChange } from './dns-update.js';
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
 * leave the other values of the name alone, so no read-modify-write and no lock is needed.
 * Every answer must carry a valid signature of the same key.
 */
export class Rfc2136Provider implements DnsProvider, RecordBackend {
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

  /** The configured `zone`; RFC 2136 cannot list zones (the webhook then uses its domain filter). */
  listZones(): Promise<string[]> {
    return Promise.resolve(this.opts.zone ? [this.opts.zone] : []);
  }

  readZone(zone: string, signal: AbortSignal): Promise<RRset[]> {
    return transferZone(this.server, zone, this.opts.key, signal, this.opts.timeoutMs ?? 10_000).catch((err: unknown) => {
      if (signal.aborted || !(err instanceof CertfleetError)) throw err;
      throw new CertfleetError(err.code, `RFC 2136 provider ${this.id}: ${err.message}`, { retryable: err.retryable });
    });
  }

  /** The whole change set of a zone as one signed UPDATE: the server applies it all or nothing. */
  async applyZone(zone: string, change: { replace: RRset[]; remove: { name: string; type: string }[] }, signal: AbortSignal): Promise<void> {
    if (change.replace.length === 0 && change.remove.length === 0) return;
    await this.send(zone, buildZoneUpdate(zone, change), signal);
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
