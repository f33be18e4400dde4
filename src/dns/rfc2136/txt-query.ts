import { randomInt } from 'node:crypto';
import { canonicalName } from '../../dns-name.js';
import { exchange, type ServerAddress } from './dns-transport.js';
import { CLASS, TYPE, encodeName, readHeader, readRecords, u16 } from './dns-wire.js';

/**
 * The TXT values at `fqdn` as the primary itself answers (one plain query), or undefined when it
 * will not say (REFUSED, SERVFAIL, ...). NXDOMAIN and an empty answer are "none".
 */
export async function queryTxt(server: ServerAddress, fqdn: string, signal: AbortSignal, timeoutMs: number): Promise<string[] | undefined> {
  const query = Buffer.concat([u16(randomInt(0, 0x10000)), u16(0), u16(1), u16(0), u16(0), u16(0), encodeName(fqdn), u16(TYPE.TXT), u16(CLASS.IN)]);
  const answer = await exchange(server, query, signal, timeoutMs);
  const rcode = readHeader(answer).flags & 0x0f;
  if (rcode === 3) return [];
  if (rcode !== 0) return undefined;
  const name = canonicalName(fqdn);
  return readRecords(answer).records
    .filter((r) => r.type === TYPE.TXT && canonicalName(r.name) === name)
    .map((r) => {
      let text = '';
      for (let i = 0; i < r.rdata.length;) {
        const len = r.rdata[i]!;
        text += r.rdata.toString('utf8', i + 1, i + 1 + len);
        i += 1 + len;
      }
      return text;
    });
}
