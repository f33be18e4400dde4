import { describe, expect, it } from 'vitest';
import { canGetRecords, canListZones, canSetRecords, type DnsProvider } from './dns-provider.js';
import { isRecordBackend } from '../externaldns/record-backend.js';
import { ExecProvider } from './exec-provider.js';
import { PowerDnsProvider } from './powerdns.js';
import { AcmeDnsProvider } from './acme-dns/acme-dns-provider.js';
import { captureLog } from '../../test/support/test-log.js';

const cap = captureLog();
const none = () => Promise.resolve([]);

describe('capability type guards', () => {
  it('see the methods a provider has, not the ones its type could have', () => {
    const appendOnly: DnsProvider = { id: 'a', appendRecords: none, deleteRecords: none };
    const full = { ...appendOnly, getRecords: none, setRecords: none, listZones: none };
    expect([canGetRecords(appendOnly), canSetRecords(appendOnly), canListZones(appendOnly)]).toEqual([false, false, false]);
    expect([canGetRecords(full), canSetRecords(full), canListZones(full)]).toEqual([true, true, true]);
    expect(canGetRecords({ ...appendOnly, getRecords: 'not a method' })).toBe(false);
  });

  it('serving ExternalDNS needs get and set: PowerDNS can, exec and acme-dns cannot', () => {
    expect(isRecordBackend(new PowerDnsProvider({ id: 'p', apiUrl: 'http://127.0.0.1:1', apiKey: 'k', serverId: 'localhost' }))).toBe(true);
    expect(isRecordBackend(new ExecProvider({ id: 'e', command: ['true'], timeoutMs: 1000, log: cap.log }))).toBe(false);
    expect(isRecordBackend(new AcmeDnsProvider({ id: 'a', apiUrl: 'http://127.0.0.1:1', accounts: {} }))).toBe(false);
    expect(isRecordBackend({ id: 'x', getRecords: none })).toBe(false);
  });
});
