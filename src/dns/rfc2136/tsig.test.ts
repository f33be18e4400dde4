import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildUpdate } from './dns-update.js';
import { CLASS, TYPE, encodeName, readName, readRecords, txtRdata, u16 } from './dns-wire.js';
import { readTsig, signMessage, verifyResponse, type TsigKey } from './tsig.js';

const key: TsigKey = { name: 'Update-Key.', algorithm: 'hmac-sha256', secret: Buffer.from('0123456789abcdef0123456789abcdef') };
const T = Date.parse('2026-11-22T12:00:00Z');

describe('DNS wire', () => {
  it('writes names (canonical form lowercased) and long TXT values as 255-byte strings', () => {
    expect(encodeName('Ab.example.')).toEqual(Buffer.from([2, 0x41, 0x62, 7, ...Buffer.from('example'), 0]));
    expect(encodeName('Ab.example', true)[1]).toBe(0x61);
    expect(encodeName('')).toEqual(Buffer.from([0]));
    expect(() => encodeName(`${'a'.repeat(64)}.test`)).toThrow(/invalid DNS label/);
    const long = txtRdata('x'.repeat(300));
    expect([long[0], long[256], long.length]).toEqual([255, 45, 302]);
  });

  it('reads compressed names and refuses pointer loops', () => {
    const msg = Buffer.concat([Buffer.alloc(12), encodeName('example.test'), Buffer.from([3, 0x77, 0x77, 0x77, 0xc0, 12])]);
    expect(readName(msg, 12 + 14)).toEqual({ name: 'www.example.test', next: msg.length });
    const loop = Buffer.concat([Buffer.alloc(12), Buffer.from([0xc0, 12])]);
    expect(() => readName(loop, 12)).toThrow(/malformed/);
  });

  it('builds an UPDATE: opcode 5, the zone as SOA question, adds in IN and deletes in NONE', () => {
    const m = buildUpdate('example.test', { add: [{ fqdn: '_acme-challenge.example.test', value: 'v1', ttl: 60 }], remove: [{ fqdn: '_acme-challenge.example.test', value: 'v0', ttl: 60 }] });
    const { header, records } = readRecords(m);
    expect((header.flags >> 11) & 0xf).toBe(5);
    expect([header.qd, header.an, header.ns, header.ar]).toEqual([1, 0, 2, 0]);
    expect(records.map((r) => [r.name, r.type, r.cls, r.ttl, r.rdata.toString('latin1')])).toEqual([
      ['_acme-challenge.example.test', TYPE.TXT, CLASS.IN, 60, '\x02v1'],
      ['_acme-challenge.example.test', TYPE.TXT, CLASS.NONE, 0, '\x02v0'],
    ]);
  });
});

describe('TSIG (RFC 8945)', () => {
  it('MACs the message and the TSIG variables exactly as §4.3.3 says', () => {
    const msg = buildUpdate('example.test', { add: [{ fqdn: 'a.example.test', value: 'v', ttl: 60 }] });
    const { signed, mac } = signMessage(msg, key, T);
    // Recompute from the RFC's definition, independently of the signer.
    const vars = Buffer.concat([encodeName('update-key', true), u16(255), Buffer.alloc(4), encodeName('hmac-sha256', true),
      Buffer.from([0, 0, ...(() => { const b = Buffer.alloc(4); b.writeUInt32BE(T / 1000); return b; })()]), u16(300), u16(0), u16(0)]);
    expect(mac).toEqual(createHmac('sha256', key.secret).update(msg).update(vars).digest());
    const t = readTsig(signed)!;
    expect(t).toMatchObject({ keyName: 'update-key', algorithm: 'hmac-sha256', timeSigned: T / 1000, fudge: 300, error: 0, originalId: msg.readUInt16BE(0) });
    expect(signed.readUInt16BE(10)).toBe(1);
  });

  it('verifies a signed answer, and rejects a tampered one, another key, and a skewed time', () => {
    const request = signMessage(buildUpdate('example.test', {}), key, T);
    // A server's answer: the request header with QR set and the zone section, signed over the request MAC.
    const answer = Buffer.from(request.signed.subarray(0, readTsig(request.signed)!.record.start));
    answer.writeUInt16BE(0x8000 | (5 << 11), 2);
    answer.writeUInt16BE(0, 10);
    const serverSign = (m: Buffer, k: TsigKey, at: number) => {
      // What a server does: MAC = HMAC(requestMAC size + requestMAC + answer + variables).
      const prefix = Buffer.concat([u16(request.mac.length), request.mac]);
      const withPrefix = signMessage(Buffer.concat([prefix, m]), k, at);
      const macNoPrefix = withPrefix.mac;
      const tsig = signMessage(m, k, at).signed;
      const t = readTsig(tsig)!;
      const out = Buffer.from(tsig);
      macNoPrefix.copy(out, t.record.rdataStart + encodeName(`${k.algorithm}.`, true).length + 10);
      return out;
    };
    const good = serverSign(answer, key, T);
    expect(verifyResponse(good, key, request.mac, T)).toEqual({ ok: true });
    const tampered = Buffer.from(good);
    tampered[13] = tampered[13]! ^ 1;
    expect(verifyResponse(tampered, key, request.mac, T)).toMatchObject({ ok: false, reason: expect.stringMatching(/does not verify/) });
    expect(verifyResponse(serverSign(answer, { ...key, name: 'other' }, T), key, request.mac, T)).toMatchObject({ ok: false, reason: expect.stringMatching(/another key/) });
    expect(verifyResponse(good, key, request.mac, T + 3600_000)).toMatchObject({ ok: false, reason: expect.stringMatching(/clock skew/) });
    expect(verifyResponse(answer, key, request.mac, T)).toMatchObject({ ok: false, reason: 'the answer is not signed' });
  });
});
