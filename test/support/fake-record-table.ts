import { randomBytes } from 'node:crypto';
import { canonicalName } from '../../src/dns-name.js';
import { unquoteTxt } from '../../src/dns/txt-presentation.js';
import type { FakeApiServer } from './fake-api-server.js';
import { registerSecret } from './secret-scan.js';

/** One stored record of a fake per-value DNS API: the absolute name, and the value as that API spells it. */
export interface FakeRow { id: string; zone: string; fqdn: string; type: string; value: string; ttl: number; priority: number | null }

/**
 * The state every fake of a per-value DNS API keeps (DigitalOcean, Linode, Vultr, Hetzner's
 * DNS Console): zones, their records with ids, and the API token the fake accepts (registered
 * with the secret scan). Each fake is only its API's paths and answer shapes on top of it.
 */
export class FakeRecordTable {
  readonly token = `tok-${randomBytes(16).toString('hex')}`;
  private readonly rows: FakeRow[] = [];

  constructor(readonly zones: string[], private readonly newId: () => string) {
    registerSecret(this.token);
  }

  hasZone(zone: string): boolean {
    return this.zones.includes(canonicalName(zone));
  }

  add(r: Omit<FakeRow, 'id'>): FakeRow {
    const row = { id: this.newId(), ...r, fqdn: canonicalName(r.fqdn) };
    this.rows.push(row);
    return row;
  }

  remove(zone: string, id: string): boolean {
    const i = this.rows.findIndex((r) => r.zone === zone && r.id === id);
    if (i < 0) return false;
    this.rows.splice(i, 1);
    return true;
  }

  inZone(zone: string): FakeRow[] {
    return this.rows.filter((r) => r.zone === zone);
  }

  /** TXT texts at a name, unquoted (however the API stores them). */
  txt(fqdn: string): string[] {
    return this.rows.filter((r) => r.fqdn === canonicalName(fqdn) && r.type === 'TXT').map((r) => unquoteTxt(r.value));
  }
}

/** A page of `items` (pages counted from 1) and how many pages there are. */
export function pageOf<T>(items: T[], page: number, perPage: number): { items: T[]; pages: number } {
  return { items: items.slice((page - 1) * perPage, page * perPage), pages: Math.max(1, Math.ceil(items.length / perPage)) };
}

/** A name relative to the zone as an API spells the apex ('@' or ''). */
export function apiName(fqdn: string, zone: string, apex: string): string {
  return fqdn === zone ? apex : fqdn.slice(0, -(zone.length + 1));
}

/** The absolute name of an API's relative name ('@' and '' both the apex). */
export function fqdnOf(name: string, zone: string): string {
  return canonicalName(name === '@' || name === '' ? zone : `${name}.${zone}`);
}

/** A counter for numeric ids, as DigitalOcean and Linode hand out. */
export function numericIds(start: number): () => string {
  let next = start;
  return () => String(next++);
}

/** A running fake of a per-value API: its base URL (with the API's path prefix), token, requests and state. */
export interface FakeTableApi {
  url: string;
  token: string;
  server: FakeApiServer;
  table: FakeRecordTable;
  stop(): Promise<void>;
}

export function fakeTableApi(server: FakeApiServer, prefix: string, table: FakeRecordTable): FakeTableApi {
  return { url: `${server.url}${prefix}`, token: table.token, server, table, stop: () => server.stop() };
}
