import { readFileSync } from 'node:fs';
import { CertfleetError } from '../errors.js';

/** A user or group as the config gives it: a name, or a numeric id (`1000` or `"1000"`). */
export type OwnerId = string | number;

/** A user name or numeric id to a uid, from /etc/passwd (no native module, no shell). */
export function resolveUser(user: OwnerId): number {
  return resolve(user, '/etc/passwd', 'user');
}

export function resolveGroup(group: OwnerId): number {
  return resolve(group, '/etc/group', 'group');
}

function resolve(name: OwnerId, file: string, what: string): number {
  // A number is an id even when no passwd entry names it (a container's uid often has none).
  if (typeof name === 'number') return name;
  if (/^\d+$/.test(name)) return Number(name);
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const f = line.split(':');
    if (f[0] === name && f[2] !== undefined) return Number(f[2]);
  }
  throw new CertfleetError('DEPLOY_FAILED', `no ${what} named ${JSON.stringify(name)} in ${file}`);
}
