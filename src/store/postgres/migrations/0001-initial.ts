/**
 * Schema version 1 of the PostgreSQL store. A migration is never edited once released: a change
 * is a new numbered file, listed in pg-migrations.ts.
 */
export const MIGRATION_0001 = `
CREATE SEQUENCE lease_tokens;

-- One row per held (or expired, not yet taken over) lock; every time is the database's.
CREATE TABLE leases (
  name text PRIMARY KEY,
  holder text NOT NULL,
  token bigint NOT NULL,
  acquired_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);

-- The current version of each certificate: PEMs, the key encrypted with the store key when one is set.
CREATE TABLE certificates (
  name text PRIMARY KEY,
  version integer NOT NULL,
  meta jsonb NOT NULL,
  cert text NOT NULL,
  chain text NOT NULL,
  fullchain text NOT NULL,
  privkey text NOT NULL,
  saved_by text NOT NULL,
  saved_at timestamptz NOT NULL DEFAULT now()
);

-- Schedule state (failures, ARI, pendingTxt: the TXT records written under a lease), compare-and-set on version.
CREATE TABLE certificate_states (
  name text PRIMARY KEY,
  version integer NOT NULL,
  state jsonb NOT NULL,
  next_due timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX certificate_states_next_due ON certificate_states (next_due);

CREATE TABLE accounts (
  issuer_key text PRIMARY KEY,
  key_pem text,
  url text,
  pace text,
  issuer_certificate text
);

CREATE TABLE hosts (
  id text PRIMARY KEY,
  last_seen timestamptz NOT NULL
);

-- The version of each certificate each host wrote to its local live/.
CREATE TABLE deliveries (
  host text NOT NULL,
  name text NOT NULL,
  version integer NOT NULL,
  at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (host, name)
);

-- One row per save (pruned): who saved what when.
CREATE TABLE events (
  id bigserial PRIMARY KEY,
  name text NOT NULL,
  version integer NOT NULL,
  host text NOT NULL,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX events_at ON events (at);

CREATE TABLE managed_certificates (
  name text PRIMARY KEY,
  spec jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
`;
