import { CertfleetError } from './errors.js';

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** Validates and lower-cases a DNS identifier for a certificate; a wildcard only as the whole leftmost label. */
export function normalizeDomain(input: string): string {
  const name = input.trim().toLowerCase().replace(/\.$/, '');
  const fail = (why: string): never => {
    throw new CertfleetError('DOMAIN_INVALID', `invalid domain name ${JSON.stringify(input)}: ${why}`);
  };
  if (name.length === 0) fail('empty');
  if (name.length > 253) fail('longer than 253 characters');
  const labels = name.split('.');
  if (labels.length < 2) fail('needs at least two labels');
  labels.forEach((label, i) => {
    if (label === '*') {
      if (i !== 0) fail('a wildcard may only be the leftmost label');
      return;
    }
    if (label.length === 0) fail('empty label');
    if (label.length > 63) fail(`label ${JSON.stringify(label.slice(0, 20))}… is longer than 63 characters`);
    if (label.includes('*')) fail('a wildcard must be a whole label');
    if (!LABEL.test(label)) fail(`label ${JSON.stringify(label)} must be letters, digits and inner hyphens`);
  });
  return name;
}

/** The name whose TXT record answers a DNS-01 challenge for `domain` (wildcards share the apex's). */
export function challengeName(domain: string): string {
  return `_acme-challenge.${domain.replace(/^\*\./, '')}`;
}
