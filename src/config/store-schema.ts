import { z } from 'zod';
import { didYouMeanHint } from '../did-you-mean.js';
import { duration, secret } from './schema-parts.js';

const STORE_TYPES = ['directory', 'postgres'] as const;
const DEFAULT_PATH = '/var/lib/certfleet';

const encryptionKeyFile = z.string().optional().describe('32 bytes (base64 or hex) that encrypt keys at rest (account keys; with postgres also certificate keys); or CERTFLEET_STORE_KEY.');

/** Today's store: one directory holds everything (see store-layout.md). A config without `type` is one. */
const directoryStore = z.strictObject({
  type: z.literal('directory').default('directory').describe('`directory` (the default: one host) or `postgres` (fleet mode: several daemons share one database, see fleet.md).'),
  path: z.string().default(DEFAULT_PATH).describe('The store directory (see store-layout.md); with `postgres`, this host\'s local directory, where `live/<name>/` is written in certbot\'s layout.'),
  encryption_key_file: encryptionKeyFile,
});

/** Fleet mode (issue 15): the store of record is PostgreSQL; `path` is this host's own live/ copy. */
const postgresStore = z.strictObject({
  type: z.literal('postgres'),
  url: secret.optional().describe('postgres://USER:PASSWORD@HOST:PORT/DATABASE?sslmode=verify-full (or ?host=/socket/dir); a secret (`url_file`: a file holding it). With `postgres` one of `url` or `url_file` is required.'),
  path: z.string().default(DEFAULT_PATH),
  host: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'expected a host id: letters, digits, ".", "_" and "-"').optional().describe('With `postgres`: this host\'s id in the fleet (default: the hostname).'),
  lease_ttl: duration.default(30_000).describe('With `postgres`: a certificate\'s lease not renewed for this long (the database\'s clock) is taken over by another host; renewed every third of it.'),
  encryption_key_file: encryptionKeyFile,
}).refine((s) => s.url !== undefined, { message: 'required with type postgres: url (the value, ${VAR}, or url_file)', path: ['url'] });

function storeTypeMessage(input: unknown): string {
  const type = input !== null && typeof input === 'object' && !Array.isArray(input) ? (input as Record<string, unknown>).type : undefined;
  if (typeof type !== 'string') return `expected a store type, one of ${STORE_TYPES.join(', ')}`;
  return `unknown store type ${JSON.stringify(type)}${didYouMeanHint(type, STORE_TYPES)}; expected one of ${STORE_TYPES.join(', ')}`;
}

// postgres first: the reference (config-doc.ts) keeps the last option's row of a shared key, the directory's described one.
export const storeSchema = z.discriminatedUnion('type', [postgresStore, directoryStore], {
  error: (iss) => (iss.code === 'invalid_union' ? storeTypeMessage(iss.input) : undefined),
}).default({ type: 'directory', path: DEFAULT_PATH }).describe('Where certificates, keys and state are kept.');

export type StoreConfig = z.output<typeof storeSchema>;
export type PostgresStoreConfig = Extract<StoreConfig, { type: 'postgres' }>;
