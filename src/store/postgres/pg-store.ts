import { CertfleetError } from '../../errors.js';
import type { CertificateMeta, Lease, NewCertificate, PemFile, StoredCertificate, StoredSchedule, VersionedState } from '../certificate-store.js';
import { EMPTY_STATE, type RenewalState } from '../renewal-state.js';
import { StateCipher } from '../state-cipher.js';
import type { CopyableStore } from '../store-copy.js';
import type { PgDatabase } from './pg-database.js';
import { acquire, assertLeaseCurrent, assertLeaseUsable, DEFAULT_LEASE_TIMING, tryAcquire, type LeaseTiming } from './pg-lease.js';

/** The NOTIFY channel of committed saves: payload `{"name":…,"version":…}`. */
export const SAVED_CHANNEL = 'certfleet_saved';
/** Events older than this are pruned at each save: the table is a recent history, not an archive. */
const EVENTS_KEPT = '7 days';
/** Rows of one query in `schedules`: keyset pages, so no transaction or cursor is held between them. */
const SCHEDULE_PAGE = 2_000;

export interface PgStoreOptions {
  db: PgDatabase;
  /** This host's id: the holder of its leases, the author of its saves. */
  host: string;
  /** Encrypts private keys and account keys at rest (AES-256-GCM, state-cipher.ts). */
  cipher?: StateCipher | undefined;
  lease?: LeaseTiming;
}

interface CertificateRow {
  meta: Omit<CertificateMeta, 'version'>;
  version: number;
  cert: string;
  chain: string;
  fullchain: string;
  privkey: string;
}

/**
 * CertificateStore and AccountStore on PostgreSQL (fleet mode): every host's daemon is a peer on
 * one database. A save is one transaction that checks the lease's token on its locked row, writes
 * the new version and NOTIFYs (delivered at commit); a reader sees the old row or the new one.
 */
export class PgStore implements CopyableStore {
  readonly db: PgDatabase;
  readonly host: string;
  private readonly cipher: StateCipher | undefined;
  private readonly timing: LeaseTiming;
  /** Lease holder: the host and this process, as fleet status shows it. */
  private readonly holder: string;

  constructor(opts: PgStoreOptions) {
    this.db = opts.db;
    this.host = opts.host;
    this.cipher = opts.cipher;
    this.timing = opts.lease ?? DEFAULT_LEASE_TIMING;
    this.holder = `${opts.host}/${process.pid}`;
  }

  async load(name: string, signal: AbortSignal): Promise<StoredCertificate | undefined> {
    const row = (await this.db.query<CertificateRow>(`read certificate ${name}`, 'SELECT meta, version, cert, chain, fullchain, privkey FROM certificates WHERE name = $1', [name], signal)).rows[0];
    if (!row) return undefined;
    const pem: Record<PemFile, string> = { cert: row.cert, chain: row.chain, fullchain: row.fullchain, privkey: this.open(row.privkey, `private key ${name}`) };
    return { meta: { ...row.meta, version: row.version }, pem };
  }

  async readMeta(name: string, signal: AbortSignal): Promise<CertificateMeta | undefined> {
    const row = (await this.db.query<CertificateRow>(`read certificate ${name}`, 'SELECT meta, version FROM certificates WHERE name = $1', [name], signal)).rows[0];
    return row ? { ...row.meta, version: row.version } : undefined;
  }

  async list(signal: AbortSignal): Promise<CertificateMeta[]> {
    const rows = (await this.db.query<CertificateRow>('list certificates', 'SELECT meta, version FROM certificates ORDER BY name', [], signal)).rows;
    return rows.map((r) => ({ ...r.meta, version: r.version }));
  }

  /** One transaction: the lease's row is locked and checked, the version moves by one, an event row, NOTIFY at commit. */
  save(cert: NewCertificate, lease: Lease, signal: AbortSignal): Promise<CertificateMeta> {
    return this.saveAt(cert, 0, lease, signal);
  }

  /** A save that keeps `cert`'s version number when it is above the current one (store migrate: store-copy.ts). */
  saveCopy(cert: StoredCertificate, lease: Lease, signal: AbortSignal): Promise<CertificateMeta> {
    const { version, ...meta } = cert.meta;
    return this.saveAt({ meta, pem: cert.pem }, version, lease, signal);
  }

  private async saveAt(cert: NewCertificate, minVersion: number, lease: Lease, signal: AbortSignal): Promise<CertificateMeta> {
    const name = cert.meta.name;
    assertLeaseUsable(lease, name, 'save');
    const privkey = this.cipher ? this.cipher.encrypt(cert.pem.privkey, `private key ${name}`) : cert.pem.privkey;
    return this.db.transaction(`save certificate ${name}`, signal, async (q) => {
      await assertLeaseCurrent(q, lease, name, 'save');
      const { version } = (await q<{ version: number }>(`INSERT INTO certificates (name, version, meta, cert, chain, fullchain, privkey, saved_by)
          VALUES ($1, GREATEST(1, $8), $2, $3, $4, $5, $6, $7)
        ON CONFLICT (name) DO UPDATE SET version = GREATEST(certificates.version + 1, $8), meta = excluded.meta, cert = excluded.cert, chain = excluded.chain,
          fullchain = excluded.fullchain, privkey = excluded.privkey, saved_by = excluded.saved_by, saved_at = now()
        RETURNING version`, [name, JSON.stringify(cert.meta), cert.pem.cert, cert.pem.chain, cert.pem.fullchain, privkey, this.host, minVersion])).rows[0]!;
      await q('INSERT INTO events (name, version, host) VALUES ($1, $2, $3)', [name, version, this.host]);
      await q(`DELETE FROM events WHERE at < now() - interval '${EVENTS_KEPT}'`);
      await q('SELECT pg_notify($1, $2)', [SAVED_CHANNEL, JSON.stringify({ name, version })]);
      return { ...cert.meta, version };
    });
  }

  lock(name: string, signal: AbortSignal): Promise<Lease> {
    return acquire(this.db, name, this.holder, this.timing, signal);
  }

  tryLock(name: string, signal: AbortSignal): Promise<Lease | undefined> {
    return tryAcquire(this.db, name, this.holder, this.timing, signal);
  }

  /** As the directory store: keys start with "_", which no certificate name can. */
  lockTxtName(fqdn: string, signal: AbortSignal): Promise<Lease> {
    return this.lock(`_txt.${fqdn.toLowerCase().replace(/\.$/, '')}`, signal);
  }

  async readState(name: string, signal: AbortSignal): Promise<VersionedState> {
    const row = (await this.db.query<{ state: RenewalState; version: number }>(`read the state of ${name}`, 'SELECT state, version FROM certificate_states WHERE name = $1', [name], signal)).rows[0];
    return row ? { state: row.state, version: row.version } : { state: EMPTY_STATE, version: 0 };
  }

  async *schedules(signal: AbortSignal, only: (name: string) => boolean = () => true): AsyncIterable<readonly StoredSchedule[]> {
    type Row = { name: string; meta: CertificateRow['meta'] | null; version: number | null; state: RenewalState | null; state_version: number | null };
    for (let after = ''; ;) {
      const rows = (await this.db.query<Row>('read the schedules', `SELECT name, c.meta, c.version, s.state, s.version AS state_version
          FROM certificates c FULL OUTER JOIN certificate_states s USING (name) WHERE name > $1 ORDER BY name LIMIT $2`, [after, SCHEDULE_PAGE], signal)).rows;
      const page = rows.filter((r) => only(r.name)).map((r) => ({
        name: r.name,
        meta: r.meta && r.version !== null ? { ...r.meta, version: r.version } : undefined,
        state: r.state && r.state_version !== null ? { state: r.state, version: r.state_version } : { state: EMPTY_STATE, version: 0 },
      }));
      if (page.length > 0) yield page;
      if (rows.length < SCHEDULE_PAGE) return;
      after = rows[rows.length - 1]!.name;
    }
  }

  /**
   * Under the lease (checked on its locked row: STORE_FENCED) or by compare-and-set on the
   * version (STORE_CONFLICT). `next_due` is kept beside the state for "what is due" queries.
   */
  async writeState(name: string, state: RenewalState, guard: { lease: Lease } | { expectedVersion: number }, signal: AbortSignal): Promise<VersionedState> {
    const json = JSON.stringify(state);
    const due = nextDue(state);
    if ('lease' in guard) assertLeaseUsable(guard.lease, name, 'state write');
    return this.db.transaction(`write the state of ${name}`, signal, async (q) => {
      let row: { version: number } | undefined;
      if ('lease' in guard) {
        await assertLeaseCurrent(q, guard.lease, name, 'state write');
        row = (await q<{ version: number }>(`INSERT INTO certificate_states (name, version, state, next_due) VALUES ($1, 1, $2, $3)
          ON CONFLICT (name) DO UPDATE SET version = certificate_states.version + 1, state = excluded.state, next_due = excluded.next_due, updated_at = now()
          RETURNING version`, [name, json, due])).rows[0];
      } else if (guard.expectedVersion === 0) {
        row = (await q<{ version: number }>('INSERT INTO certificate_states (name, version, state, next_due) VALUES ($1, 1, $2, $3) ON CONFLICT (name) DO NOTHING RETURNING version', [name, json, due])).rows[0];
      } else {
        row = (await q<{ version: number }>(`UPDATE certificate_states SET version = version + 1, state = $3, next_due = $4, updated_at = now()
          WHERE name = $1 AND version = $2 RETURNING version`, [name, guard.expectedVersion, json, due])).rows[0];
      }
      if (!row) {
        const now = (await q<{ version: number }>('SELECT version FROM certificate_states WHERE name = $1', [name])).rows[0]?.version ?? 0;
        const expected = 'expectedVersion' in guard ? guard.expectedVersion : '?';
        throw new CertfleetError('STORE_CONFLICT', `state write of ${name} refused: expected version ${expected}, the state is at version ${now}; read it again and retry`, { retryable: true });
      }
      return { state, version: row.version };
    });
  }

  /** What would stop a save: a database this host cannot write (down, read-only replica). */
  async preflight(name: string, signal: AbortSignal): Promise<void> {
    if (!await this.writable(signal)) {
      throw new CertfleetError('STORE_DB', `the PostgreSQL store at ${this.db.target.where} cannot be written now (down, or a read-only replica): nothing was ordered for ${name}`, { retryable: true });
    }
  }

  /** Leases that expired long ago (their holders died): removed, which also fences them. */
  async sweep(signal: AbortSignal): Promise<string[]> {
    const r = await this.db.query<{ name: string }>('sweep expired leases', `DELETE FROM leases WHERE expires_at < now() - interval '1 minute' RETURNING name`, [], signal);
    return r.rows.map((row) => `leases/${row.name}`);
  }

  async writable(signal: AbortSignal): Promise<boolean> {
    try {
      const r = await this.db.query<{ w: boolean }>('check the store', 'SELECT NOT pg_is_in_recovery() AS w', [], signal);
      return r.rows[0]?.w === true;
    } catch {
      return false;
    }
  }

  async readAccount(issuerKey: string, signal: AbortSignal): Promise<{ keyPem: string; url?: string } | undefined> {
    const row = (await this.db.query<{ key_pem: string | null; url: string | null }>('read an account', 'SELECT key_pem, url FROM accounts WHERE issuer_key = $1', [issuerKey], signal)).rows[0];
    if (!row?.key_pem) return undefined;
    const keyPem = this.open(row.key_pem, `account key ${issuerKey}`);
    return row.url === null ? { keyPem } : { keyPem, url: row.url };
  }

  /**
   * A key is written once (as the directory store's exclusive create): a second writer gets an
   * EEXIST error and reads the first one's key, so two daemons starting together share one account.
   */
  async writeAccount(issuerKey: string, data: { keyPem?: string; url?: string }, signal: AbortSignal): Promise<void> {
    if (data.keyPem) {
      const stored = this.cipher ? this.cipher.encrypt(data.keyPem, `account key ${issuerKey}`) : data.keyPem;
      const r = await this.db.query('write an account', `INSERT INTO accounts (issuer_key, key_pem) VALUES ($1, $2)
        ON CONFLICT (issuer_key) DO UPDATE SET key_pem = excluded.key_pem WHERE accounts.key_pem IS NULL RETURNING 1`, [issuerKey, stored], signal);
      if (r.rowCount === 0) throw Object.assign(new Error(`the account key of ${issuerKey} exists already`), { code: 'EEXIST' });
    }
    if (data.url) await this.upsertAccount(issuerKey, 'url', data.url, signal);
  }

  async readPace(issuerKey: string, signal: AbortSignal): Promise<string | undefined> {
    return this.readAccountColumn(issuerKey, 'pace', signal);
  }

  writePace(issuerKey: string, json: string, signal: AbortSignal): Promise<void> {
    return this.upsertAccount(issuerKey, 'pace', json, signal);
  }

  readIssuerCertificate(issuerKey: string, signal: AbortSignal): Promise<string | undefined> {
    return this.readAccountColumn(issuerKey, 'issuer_certificate', signal);
  }

  writeIssuerCertificate(issuerKey: string, pem: string, signal: AbortSignal): Promise<void> {
    return this.upsertAccount(issuerKey, 'issuer_certificate', pem, signal);
  }

  /** Every issuer key with an account (store migrate). */
  async accountKeys(signal: AbortSignal): Promise<string[]> {
    return (await this.db.query<{ issuer_key: string }>('list accounts', 'SELECT issuer_key FROM accounts ORDER BY issuer_key', [], signal)).rows.map((r) => r.issuer_key);
  }

  private async readAccountColumn(issuerKey: string, column: 'pace' | 'issuer_certificate', signal: AbortSignal): Promise<string | undefined> {
    const row = (await this.db.query<Record<string, string | null>>('read an account', `SELECT ${column} AS v FROM accounts WHERE issuer_key = $1`, [issuerKey], signal)).rows[0];
    return row?.v ?? undefined;
  }

  private async upsertAccount(issuerKey: string, column: 'url' | 'pace' | 'issuer_certificate', value: string, signal: AbortSignal): Promise<void> {
    await this.db.query('write an account', `INSERT INTO accounts (issuer_key, ${column}) VALUES ($1, $2) ON CONFLICT (issuer_key) DO UPDATE SET ${column} = excluded.${column}`, [issuerKey, value], signal);
  }

  private open(stored: string, role: string): string {
    if (!StateCipher.isEncrypted(stored)) return stored;
    if (!this.cipher) throw new CertfleetError('STORE_KEY', `${role} is encrypted: give the store key (store.encryption_key_file or CERTFLEET_STORE_KEY)`);
    return this.cipher.decrypt(stored, role);
  }
}

/** The earliest time the schedule named for this certificate (a retry, an ARI window), for `next_due`. */
function nextDue(state: RenewalState): string | null {
  const times = [state.nextAttempt, state.ari?.window?.chosen, state.deploy?.nextAttempt].filter((t): t is string => typeof t === 'string' && !Number.isNaN(Date.parse(t)));
  return times.sort((a, b) => Date.parse(a) - Date.parse(b))[0] ?? null;
}
