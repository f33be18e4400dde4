import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { errorMessage } from '../../errors.js';
import { parseIni } from './renewal-conf.js';

/**
 * Where certfleet's copy of a secret from certbot's INI goes: in the store, 0600 in a 0700
 * directory. Named by a hash of the value too, so two lineages with different credentials get
 * two files (the hash of a high-entropy token reveals nothing of it).
 */
export function secretFile(root: string, providerId: string, option: string, value: string): string {
  return path.join(root, 'certfleet-secrets', `${providerId}-${createHash('sha256').update(value).digest('hex').slice(0, 8)}.${option}`);
}

/** The file a renewal conf option names, read whole (a service-account JSON key), or why not. */
export async function credentialsText(p: Record<string, string>, option: string, signal: AbortSignal): Promise<{ text: string; file: string } | { problem: string }> {
  const file = p[option];
  if (!file) return { problem: `renewal conf names no ${option}` };
  try {
    return { text: await fs.readFile(file, { encoding: 'utf8', signal }), file };
  } catch (err) {
    return { problem: `cannot read certbot's credentials ${file}: ${errorMessage(err)}` };
  }
}

/** certbot's credentials INI that a renewal conf option names, parsed, or why not. */
export async function credentials(p: Record<string, string>, option: string, signal: AbortSignal): Promise<{ ini: Record<string, string>; file: string } | { problem: string }> {
  const read = await credentialsText(p, option, signal);
  return 'problem' in read ? read : { ini: parseIni(read.text), file: read.file };
}

export function propagationNote(p: Record<string, string>, plugin: string): string[] {
  const seconds = p[`dns_${plugin}_propagation_seconds`];
  return seconds ? [`certbot waited ${seconds} s for propagation; certfleet asks the authoritative servers until the record is there (propagation:).`] : [];
}
