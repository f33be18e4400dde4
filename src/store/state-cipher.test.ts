import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileStore } from './file-store.js';
import { loadStoreKey, StateCipher } from './state-cipher.js';

const PEM = '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n';

describe('StateCipher', () => {
  it('round-trips, binds the role, and refuses a wrong key with a clear error', () => {
    const c = new StateCipher(randomBytes(32));
    const enc = c.encrypt(PEM, 'account key a');
    expect(StateCipher.isEncrypted(enc)).toBe(true);
    expect(enc).not.toContain('PRIVATE KEY');
    expect(c.decrypt(enc, 'account key a')).toBe(PEM);
    expect(() => c.decrypt(enc, 'account key b')).toThrow('cannot decrypt account key b with this store key: the key is wrong, or the file was changed');
    expect(() => new StateCipher(randomBytes(32)).decrypt(enc, 'account key a')).toThrow(/key is wrong/);
    expect(() => new StateCipher(randomBytes(16))).toThrow(/32 bytes/);
  });

  it('loads the key from a file (base64 or hex) or CERTFLEET_STORE_KEY', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'certfleet-key-'));
    try {
      const key = randomBytes(32);
      await writeFile(path.join(dir, 'b64'), `${key.toString('base64')}\n`);
      await writeFile(path.join(dir, 'hex'), key.toString('hex'));
      await writeFile(path.join(dir, 'short'), randomBytes(8).toString('base64'));
      const enc = loadStoreKey(path.join(dir, 'b64'))!.encrypt('x', 'r');
      expect(loadStoreKey(path.join(dir, 'hex'))!.decrypt(enc, 'r')).toBe('x');
      expect(loadStoreKey(undefined, { CERTFLEET_STORE_KEY: key.toString('base64') })!.decrypt(enc, 'r')).toBe('x');
      expect(loadStoreKey(undefined, {})).toBeUndefined();
      expect(() => loadStoreKey(path.join(dir, 'short'))).toThrow(/must be 32 bytes.*openssl rand -base64 32/);
      expect(() => loadStoreKey(path.join(dir, 'missing'))).toThrow(/cannot read the store key .*ENOENT/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('FileStore with a store key', () => {
  it('encrypts account keys at rest, encrypts an old plaintext key on first read, refuses without or with a wrong key, rotates', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'certfleet-encstore-'));
    try {
      const plain = new FileStore({ root: dir });
      await plain.writeAccount('ca-1', { keyPem: PEM, url: 'https://ca/acct/1' }, AbortSignal.timeout(5000));
      const k1 = new StateCipher(randomBytes(32));
      const enc = new FileStore({ root: dir, cipher: k1 });
      expect((await enc.readAccount('ca-1', AbortSignal.timeout(5000)))!.keyPem).toBe(PEM);
      const onDisk = await readFile(path.join(dir, 'accounts', 'ca-1', 'private_key.pem'), 'utf8');
      expect(StateCipher.isEncrypted(onDisk)).toBe(true);
      await expect(plain.readAccount('ca-1', AbortSignal.timeout(5000))).rejects.toThrow('account key ca-1 is encrypted: give the store key (store.encryption_key_file or CERTFLEET_STORE_KEY)');
      await expect(new FileStore({ root: dir, cipher: new StateCipher(randomBytes(32)) }).readAccount('ca-1', AbortSignal.timeout(5000))).rejects.toThrow(/key is wrong/);
      // Nothing was overwritten by the failed reads.
      expect(await readFile(path.join(dir, 'accounts', 'ca-1', 'private_key.pem'), 'utf8')).toBe(onDisk);
      const k2 = new StateCipher(randomBytes(32));
      expect(await enc.rotateKey(k2, AbortSignal.timeout(5000))).toBe(1);
      expect((await new FileStore({ root: dir, cipher: k2 }).readAccount('ca-1', AbortSignal.timeout(5000)))!.keyPem).toBe(PEM);
      await expect(enc.readAccount('ca-1', AbortSignal.timeout(5000))).rejects.toThrow(/key is wrong/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
