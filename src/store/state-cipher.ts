import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { processRedactor } from '../redaction.js';
import { CertfleetError, errorMessage } from '../errors.js';

const PREFIX = 'certfleet-aes-256-gcm-v1:';

/**
 * Encryption at rest for certfleet's own secrets in the store (ACME account keys): AES-256-GCM,
 * a fresh 96-bit IV per write, the record's role as associated data (a ciphertext moved to
 * another role does not decrypt). A wrong key is an authentication failure, never garbage.
 */
export class StateCipher {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new CertfleetError('STORE_KEY', `the store key must be 32 bytes (got ${key.length})`);
  }

  static isEncrypted(text: string): boolean {
    return text.startsWith(PREFIX);
  }

  encrypt(plaintext: string, role: string): string {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.key, iv);
    c.setAAD(Buffer.from(role));
    const body = Buffer.concat([c.update(plaintext, 'utf8'), c.final()]);
    return `${PREFIX}${Buffer.concat([iv, c.getAuthTag(), body]).toString('base64')}\n`;
  }

  decrypt(text: string, role: string): string {
    const raw = Buffer.from(text.trim().slice(PREFIX.length), 'base64');
    try {
      const d = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
      d.setAAD(Buffer.from(role));
      d.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString('utf8');
    } catch {
      throw new CertfleetError('STORE_KEY', `cannot decrypt ${role} with this store key: the key is wrong, or the file was changed`);
    }
  }
}

/**
 * The store key from `store.encryption_key_file` or CERTFLEET_STORE_KEY: 32 bytes, written as
 * base64 or hex (`openssl rand -base64 32`). Undefined when neither is set.
 */
export function loadStoreKey(file: string | undefined, env: NodeJS.ProcessEnv = process.env): StateCipher | undefined {
  let text: string | undefined;
  let where = 'CERTFLEET_STORE_KEY';
  if (file) {
    where = file;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new CertfleetError('STORE_KEY', `cannot read the store key ${file}: ${(err as NodeJS.ErrnoException).code ?? errorMessage(err)}`);
    }
  } else {
    text = env.CERTFLEET_STORE_KEY;
  }
  if (text === undefined || text.trim() === '') return undefined;
  const t = text.trim();
  const key = /^[0-9a-f]{64}$/i.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64');
  if (key.length !== 32) throw new CertfleetError('STORE_KEY', `the store key in ${where} must be 32 bytes, base64 or hex (make one with: openssl rand -base64 32)`);
  // A hook or an error that prints the key must not log it in clear.
  processRedactor.add([t]);
  return new StateCipher(key);
}
