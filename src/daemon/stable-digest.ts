import { createHash } from 'node:crypto';
import { Secret } from '../config/secret.js';

/**
 * A digest of a config value that sees secret changes (JSON.stringify would see "[redacted]")
 * without keeping the secret itself, and does not depend on key order.
 */
export function stableDigest(value: unknown): string {
  return createHash('sha256').update(canonical(value)).digest('hex');
}

function canonical(v: unknown): string {
  if (v instanceof Secret) return `secret:${createHash('sha256').update(v.reveal()).digest('hex')}`;
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'undefined';
}
