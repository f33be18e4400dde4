import { randomInt } from 'node:crypto';
import { connect } from 'node:net';
import { CertfleetError } from '../../errors.js';
import { canonicalIpv6 } from '../ipv6-text.js';
import type { RRset } from '../rrset.js';
import { quoteTxt } from '../txt-presentation.js';
import { CLASS, TYPE, encodeName, readName, readRecords, u16, type ParsedRecord } from './dns-wire.js';
import type { ServerAddress } from './dns-transport.js';
import { readTsig, signMessage, verifyResponse, type TsigKey } from './tsig.js';

const AXFR = 252;
const TYPE_NAMES: Record<number, string> = { 1: 'A', 2: 'NS', 5: 'CNAME', 6: 'SOA', 12: 'PTR', 15: 'MX', 16: 'TXT', 28: 'AAAA', 33: 'SRV' };

/**
 * The whole zone by AXFR over TCP, signed with TSIG; every signed message of the answer is
 * verified (the first against the request, the next ones chained, RFC 8945 §5.3.1).
 * Records come back as RRsets in ExternalDNS's text forms (TXT quoted, host names without dot).
 */
export async function transferZone(server: ServerAddress, zone: string, key: TsigKey, signal: AbortSignal, timeoutMs = 10_000): Promise<RRset[]> {
  const query = Buffer.concat([u16(randomInt(0, 0x10000)), u16(0), u16(1), u16(0), u16(0), u16(0), encodeName(zone), u16(AXFR), u16(CLASS.IN)]);
  const { signed, mac } = signMessage(query, key);
  const messages = await tcpStream(server, signed, signal, timeoutMs);
  const where = `AXFR of ${zone} from ${server.host}:${server.port}`;
  let prior = mac;
  let soaSeen = 0;
  const sets = new Map<string, RRset>();
  for (const [i, msg] of messages.entries()) {
    const rcode = msg.readUInt16BE(2) & 0x0f;
    const tsig = readTsig(msg);
    if (tsig?.error) throw new CertfleetError('DNS_AUTH', `${where}: TSIG error ${tsig.error} (is ${key.name} allowed to transfer the zone?)`);
    if (rcode !== 0) throw new CertfleetError(rcode === 5 || rcode === 9 ? 'DNS_AUTH' : 'DNS_PROVIDER', `${where}: answered rcode ${rcode}${rcode === 5 ? ' (REFUSED: allow the key to transfer the zone)' : ''}`);
    if (i === 0 && !tsig) throw new CertfleetError('DNS_AUTH', `${where}: the answer is not signed`);
    if (tsig) {
      const verdict = verifyResponse(msg, key, prior, Date.now(), i > 0);
      if (!verdict.ok) throw new CertfleetError('DNS_AUTH', `${where}: ${verdict.reason}`);
      prior = tsig.mac;
    }
    for (const r of readRecords(msg).records) {
      if (r.type === TYPE.TSIG) continue;
      if (r.type === TYPE.SOA) soaSeen++;
      const type = TYPE_NAMES[r.type];
      if (!type || type === 'SOA') continue;
      const name = r.name.toLowerCase();
      const k = `${name} ${type}`;
      const set = sets.get(k) ?? { name, type, ttl: r.ttl, values: [] };
      set.values.push(rdataText(msg, r, type));
      sets.set(k, set);
    }
    if (soaSeen >= 2) break;
  }
  if (soaSeen < 2) throw new CertfleetError('DNS_PROVIDER', `${where}: the transfer ended before the closing SOA`);
  return [...sets.values()];
}

function rdataText(msg: Buffer, r: ParsedRecord, type: string): string {
  const d = r.rdata;
  switch (type) {
    case 'A': return [...d].join('.');
    case 'AAAA': return canonicalIpv6(Array.from({ length: 8 }, (_, i) => d.readUInt16BE(i * 2).toString(16)).join(':'));
    case 'CNAME': case 'NS': case 'PTR': return readName(msg, r.rdataStart).name.toLowerCase();
    case 'MX': return `${d.readUInt16BE(0)} ${readName(msg, r.rdataStart + 2).name.toLowerCase()}`;
    case 'SRV': return `${d.readUInt16BE(0)} ${d.readUInt16BE(2)} ${d.readUInt16BE(4)} ${readName(msg, r.rdataStart + 6).name.toLowerCase()}`;
    case 'TXT': {
      let text = '';
      for (let i = 0; i < d.length;) { const len = d[i]!; text += d.toString('utf8', i + 1, i + 1 + len); i += 1 + len; }
      return quoteTxt(text);
    }
    default: return d.toString('hex');
  }
}

function tcpStream(server: ServerAddress, message: Buffer, signal: AbortSignal, timeoutMs: number): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: server.host, port: server.port });
    let buf = Buffer.alloc(0);
    const messages: Buffer[] = [];
    let soa = 0;
    const done = (err?: Error) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      if (err) reject(err);
      else resolve(messages);
    };
    const onAbort = () => done(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    const timer = setTimeout(() => done(new CertfleetError('DNS_PROVIDER', `AXFR from ${server.host}:${server.port}: no complete answer within ${timeoutMs} ms`, { retryable: true })), timeoutMs);
    signal.addEventListener('abort', onAbort, { once: true });
    socket.on('error', (err) => done(new CertfleetError('DNS_PROVIDER', `AXFR from ${server.host}:${server.port}: ${(err as NodeJS.ErrnoException).code ?? err.message}`, { retryable: true })));
    socket.on('connect', () => socket.write(Buffer.concat([u16(message.length), message])));
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
        buf = buf.subarray(2 + msg.length);
        messages.push(msg);
        const rcode = msg.readUInt16BE(2) & 0x0f;
        try {
          soa += readRecords(msg).records.filter((r) => r.type === TYPE.SOA).length;
        } catch (err) {
          return done(err as Error);
        }
        if (rcode !== 0 || soa >= 2) return done();
      }
    });
    socket.on('end', () => done());
  });
}
