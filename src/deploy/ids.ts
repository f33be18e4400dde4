import { readFileSync } from 'node:fs';
import { CertfleetError } from '../errors.js';

/** A user name or numeric id to a uid, from /etc/passwd (no native module, no shell). */
export function resolveUser(user: string): number {
  return resolve(user, '/etc/passwd', 'user');
}

export function resolveGroup(group: string): number {
  return resolve(group, '/etc/group', 'group');
}

function resolve(name: string, file: string, what: string): number {
  if (/^\d+$/.test(name)) return Number(name);
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const f = line.split(':');
    if (f[0] === name && f[2] !== undefined) return Number(f[2]);
  }
  throw new CertfleetError('DEPLOY_FAILED', `no ${what} named ${JSON.stringify(name)} in ${file}`);
}
