/*
 * DNSroboCert's config schema (src/dnsrobocert/schema.yml at commit aee5b61, MIT, Copyright (c)
 * 2017 Adrien Ferrand; ../shared/reference/dnsrobocert-schema.yml), as data for
 * validate-schema.ts: the subset of JSON Schema it uses. Where its schema says nothing at one
 * level (an `additionalProperties: false` placed on the autorestart array instead of its items),
 * this mirrors what DNSroboCert actually accepts: unknown keys in an autorestart item pass.
 */

export type JsonType = 'object' | 'array' | 'string' | 'number' | 'integer' | 'boolean';

export interface Shape {
  types: readonly JsonType[];
  properties?: Readonly<Record<string, Shape>>;
  required?: readonly string[];
  /** additionalProperties: false */
  closed?: boolean;
  items?: Shape;
  enum?: readonly (string | number)[];
  /** A pattern check, with what it expects in words. */
  pattern?: { test: (s: string) => boolean; expected: string };
}

/**
 * A domain as DNSroboCert's pattern allows it: two labels or more, each letters, digits and
 * inner hyphens, `*` as a whole label but the last. Checked per label: the pattern itself nests
 * quantifiers.
 */
export function isDrcDomain(name: string): boolean {
  const labels = name.split('.');
  const last = labels.pop() ?? '';
  const label = (l: string) => /^[a-zA-Z0-9-]+$/.test(l) && !l.startsWith('-') && !l.endsWith('-');
  return labels.length >= 1 && labels.every((l) => l === '*' || label(l)) && label(last);
}

// DNSroboCert's own patterns, lower-case letters only in the email as in its schema. Each
// runs once on one value of a file the user gave, so their backtracking costs nothing.
// eslint-disable-next-line security/detect-unsafe-regex, no-control-regex -- DNSroboCert's own pattern, control characters included
const EMAIL = /^(?:[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*|"(?:[\x01-\x08\x0b\x0c\x0e-\x1f\x21\x23-\x5b\x5d-\x7f]|\\[\x01-\x09\x0b\x0c\x0e-\x7f])*")@(?:(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]*[a-z0-9])?|\[(?:(?:(2(5[0-5]|[0-4][0-9])|1[0-9][0-9]|[1-9]?[0-9]))\.){3}(?:(2(5[0-5]|[0-4][0-9])|1[0-9][0-9]|[1-9]?[0-9])|[a-z0-9-]*[a-z0-9]:(?:[\x01-\x08\x0b\x0c\x0e-\x1f\x21-\x5a\x53-\x7f]|\\[\x01-\x09\x0b\x0c\x0e-\x7f])+)\])$/;
const URL_PATTERN = /^(https?:\/\/(?:www\.|(?!www))[a-zA-Z0-9][a-zA-Z0-9-]+[a-zA-Z0-9]\.[^\s]{2,}|www\.[a-zA-Z0-9][a-zA-Z0-9-]+[a-zA-Z0-9]\.[^\s]{2,}|https?:\/\/(?:www\.|(?!www))[a-zA-Z0-9]+\.[^\s]{2,}|www\.[a-zA-Z0-9]+\.[^\s]{2,})$/;

const string: Shape = { types: ['string'] };
const boolean: Shape = { types: ['boolean'] };
const number: Shape = { types: ['number'] };
const strings: Shape = { types: ['array'], items: string };
const intOrString: Shape = { types: ['integer', 'string'] };

export const DNSROBOCERT_SCHEMA: Shape = {
  types: ['object'],
  closed: true,
  properties: {
    draft: boolean,
    acme: {
      types: ['object'],
      closed: true,
      properties: {
        email_account: { types: ['string'], pattern: { test: (s) => EMAIL.test(s), expected: 'an email address (DNSroboCert accepts lower-case letters only)' } },
        staging: boolean,
        api_version: { types: ['number'], enum: [1, 2] },
        directory_url: { types: ['string'], pattern: { test: (s) => URL_PATTERN.test(s), expected: 'an http(s) URL' } },
        certs_root_path: string,
        certs_permissions: {
          types: ['object'],
          closed: true,
          properties: { files_mode: intOrString, dirs_mode: intOrString, user: intOrString, group: intOrString },
        },
        crontab_renew: string,
      },
    },
    api: { types: ['object'] },
    profiles: {
      types: ['array'],
      items: {
        types: ['object'],
        closed: true,
        required: ['name', 'provider'],
        properties: {
          name: string,
          provider: string,
          provider_options: { types: ['object'] },
          sleep_time: number,
          max_checks: number,
          delegated_subdomain: { types: ['string'], pattern: { test: isDrcDomain, expected: 'a domain name' } },
          dynamic_zone_resolution: boolean,
          ttl: number,
        },
      },
    },
    certificates: {
      types: ['array'],
      items: {
        types: ['object'],
        closed: true,
        required: ['domains', 'profile'],
        properties: {
          profile: string,
          domains: { types: ['array'], items: { types: ['string'], pattern: { test: isDrcDomain, expected: 'a domain name' } } },
          name: string,
          pfx: { types: ['object'], closed: true, required: ['export'], properties: { export: boolean, passphrase: string } },
          autorestart: {
            types: ['array'],
            items: { types: ['object'], properties: { containers: strings, swarm_services: strings, podman_containers: strings } },
          },
          autocmd: {
            types: ['array'],
            items: { types: ['object'], closed: true, required: ['cmd'], properties: { containers: strings, cmd: { types: ['string', 'array'], items: string } } },
          },
          deploy_hook: string,
          force_renew: boolean,
          follow_cnames: boolean,
          reuse_key: boolean,
          key_type: { types: ['string'], enum: ['rsa', 'ecdsa'] },
        },
      },
    },
  },
};

/** The validated file, as the translation reads it. */
export interface DrcConfig {
  draft?: boolean | string;
  acme?: {
    email_account?: string;
    staging?: boolean | string;
    api_version?: number | string;
    directory_url?: string;
    certs_root_path?: string;
    certs_permissions?: { files_mode?: number | string; dirs_mode?: number | string; user?: number | string; group?: number | string };
    crontab_renew?: string;
  };
  api?: Record<string, unknown>;
  profiles?: DrcProfile[];
  certificates?: DrcCertificate[];
}

export interface DrcProfile {
  name: string;
  provider: string;
  provider_options?: Record<string, unknown>;
  sleep_time?: number | string;
  max_checks?: number | string;
  delegated_subdomain?: string;
  dynamic_zone_resolution?: boolean | string;
  ttl?: number | string;
}

export interface DrcCertificate {
  profile: string;
  domains: string[];
  name?: string;
  pfx?: { export: boolean | string; passphrase?: string };
  autorestart?: { containers?: string[]; swarm_services?: string[]; podman_containers?: string[] }[];
  autocmd?: { containers?: string[]; cmd: string | string[] }[];
  deploy_hook?: string;
  force_renew?: boolean | string;
  follow_cnames?: boolean | string;
  reuse_key?: boolean | string;
  key_type?: string;
}
