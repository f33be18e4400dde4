import { inspect } from 'node:util';

const REDACTED = '[redacted]';

/**
 * Where a secret's value came from in the config: written in the YAML itself, substituted from
 * `${VAR}`, or read from `<option>_file` (absolute path). Production mode refuses the first.
 */
export type SecretSource = { kind: 'inline' } | { kind: 'env' } | { kind: 'file'; file: string };

/**
 * A configured secret (API key, TSIG secret, HMAC key, passphrase). It never prints
 * itself: String(), JSON and util.inspect all give "[redacted]"; only reveal() gives the value.
 */
export class Secret {
  readonly #value: string;

  /** Set by the config loader; undefined for a Secret made elsewhere. */
  constructor(value: string, readonly source?: SecretSource) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}

/** Every Secret inside a value (config objects, arrays, maps). */
export function collectSecrets(value: unknown, into: Set<string> = new Set()): Set<string> {
  if (value instanceof Secret) into.add(value.reveal());
  else if (Array.isArray(value)) {
    for (const v of value) if (typeof v === 'object' && v !== null) collectSecrets(v, into);
  } else if (value !== null && typeof value === 'object') {
    // Own keys without an array of values per object, and no call for a plain value: a config of
    // 100,000 certificates is walked at every command's start.
    for (const key in value) {
      if (!Object.hasOwn(value, key)) continue;
      const v = (value as Record<string, unknown>)[key];
      if (typeof v === 'object' && v !== null) collectSecrets(v, into);
    }
  }
  return into;
}

/** Option names whose values are secrets; each also accepts `<name>_file`. */
export const SECRET_OPTIONS = ['api_key', 'secret', 'token', 'password', 'api_token', 'hmac_key', 'passphrase', 'secret_api_key', 'api_secret', 'secret_access_key', 'session_token', 'client_secret', 'service_account_key', 'application_secret', 'consumer_key', 'personal_access_token'] as const;

/**
 * Secret options of one section only, by its field path: `store.url` (the PostgreSQL URL holds
 * the password) without making every `url` elsewhere (webhooks, API endpoints) a secret.
 */
export const SCOPED_SECRET_OPTIONS: Readonly<Record<string, readonly string[]>> = { store: ['url'] };
