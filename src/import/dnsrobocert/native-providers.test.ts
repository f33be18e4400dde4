import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseConfig } from '../../config/load-config.js';
import { importParsed } from './import-dnsrobocert.js';
import { parseDnsrobocert } from './read-dnsrobocert.js';

const profile = (provider: string, options: Record<string, unknown>, extra = '') =>
  `profiles:\n- name: p\n  provider: ${provider}\n${extra}  provider_options:${Object.keys(options).length === 0 ? ' {}\n' : `\n${Object.entries(options).map(([k, v]) => `    ${k}: ${JSON.stringify(v)}\n`).join('')}`}`;
const translate = (text: string) => importParsed(parseDnsrobocert(text, 'drc.yml'));
/** The entry as printed, and as certfleet's loader reads it (what check-config validates). */
const entry = (text: string) => (parse(translate(text).yaml) as { dns: { providers: Record<string, Record<string, unknown>> } }).dns.providers.p!;
const loaded = (text: string) => parseConfig(translate(text).yaml, 'certfleet.yaml', { env: {} }).dns.providers.p!;
const oneLine = (text: string) => translate(text).yaml.replace(/(?<=# [^\n]*)\n *# (?!- |Not translated, or)/g, ' ');

const LONG = 'x'.repeat(40);
const dir = mkdtempSync(path.join(tmpdir(), 'certfleet-native-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const GOOGLE_KEY = JSON.stringify({ type: 'service_account', project_id: 'proj', client_email: 'sa@proj.iam.gserviceaccount.com', private_key: '-----BEGIN PRIVATE KEY-----\nMII\n-----END PRIVATE KEY-----\n' });
const GOOGLE_FILE = path.join(dir, 'key.json');
writeFileSync(GOOGLE_FILE, GOOGLE_KEY, { mode: 0o600 });

describe('import dnsrobocert: lexicon providers that become native', () => {
  const cases: [string, Record<string, unknown>, Record<string, unknown>][] = [
    ['route53', { auth_access_key: 'AKIAIOSFODNN7EXAMPLE', auth_access_secret: LONG, private_zone: 'true' }, { type: 'route53', access_key_id: 'AKIAIOSFODNN7EXAMPLE', secret_access_key: LONG, private_zone: true }],
    ['route53', { auth_username: 'AKIAIOSFODNN7EXAMPLE', auth_token: LONG }, { type: 'route53', access_key_id: 'AKIAIOSFODNN7EXAMPLE', secret_access_key: LONG }],
    ['route53', {}, { type: 'route53' }],
    ['googleclouddns', { auth_service_account_info: `file::${GOOGLE_FILE}` }, { type: 'google-cloud-dns', service_account_key_file: GOOGLE_FILE }],
    ['googleclouddns', { auth_service_account_info: `base64::${Buffer.from(GOOGLE_KEY).toString('base64')}` }, { type: 'google-cloud-dns', service_account_key: GOOGLE_KEY }],
    ['azure', { auth_client_id: 'app', auth_client_secret: LONG, auth_tenant_id: 'tenant', auth_subscription_id: 'sub', resource_group: 'rg' }, { type: 'azure', client_id: 'app', client_secret: LONG, tenant_id: 'tenant', subscription_id: 'sub', resource_group: 'rg' }],
    ['digitalocean', { auth_token: LONG }, { type: 'digitalocean', api_token: LONG }],
    ['hetzner', { auth_token: LONG }, { type: 'hetzner', api: 'console', api_token: LONG }],
    ['ovh', { auth_entrypoint: 'ovh-ca', auth_application_key: 'ak', auth_application_secret: LONG, auth_consumer_key: LONG }, { type: 'ovh', endpoint: 'ovh-ca', application_key: 'ak', application_secret: LONG, consumer_key: LONG }],
    ['gandi', { auth_token: LONG, api_protocol: 'rest' }, { type: 'gandi', api_key: LONG }],
    ['linode4', { auth_token: LONG }, { type: 'linode', api_token: LONG }],
    ['porkbun', { auth_key: 'pk1_x', auth_secret: 'sk1_x' }, { type: 'porkbun', api_key: 'pk1_x', secret_api_key: 'sk1_x' }],
    ['godaddy', { auth_key: 'k', auth_secret: 's' }, { type: 'godaddy', api_key: 'k', api_secret: 's' }],
    ['dnsimple', { auth_token: LONG }, { type: 'dnsimple', token: LONG }],
    ['vultr', { auth_token: LONG }, { type: 'vultr', api_key: LONG }],
    ['infomaniak', { auth_token: LONG }, { type: 'infomaniak', token: LONG }],
  ];
  it.each(cases)('%s %j', (provider, options, expected) => {
    const text = profile(provider, options);
    expect(entry(text)).toEqual(expected);
    expect(loaded(text)).toMatchObject({ type: expected.type });
    expect(oneLine(text)).toMatch(new RegExp(`# dns-lexicon's ${provider} provider, as certfleet's native ${String(expected.type)} provider`));
  });
  it('a ${VAR} value is kept as written and resolves at load time', () => {
    const text = profile('digitalocean', { auth_token: '${DO_TOKEN}' });
    expect(entry(text)).toEqual({ type: 'digitalocean', api_token: '${DO_TOKEN}' });
    expect(parseConfig(translate(text).yaml, 'certfleet.yaml', { env: { DO_TOKEN: LONG } }).dns.providers.p).toMatchObject({ type: 'digitalocean' });
  });
  it('a ttl below the native provider\'s smallest is raised to it, with a comment', () => {
    const text = profile('porkbun', { auth_key: 'k', auth_secret: 's' }, '  ttl: 300\n');
    expect(entry(text)).toMatchObject({ type: 'porkbun', ttl: 600 });
    expect(oneLine(text)).toMatch(/DNSroboCert's ttl 300 is below the smallest certfleet's native porkbun provider takes .*raised to 600/);
    expect(loaded(text)).toMatchObject({ ttl: 600 });
  });
});

describe('import dnsrobocert: kept on lexicon, with the reason', () => {
  const kept: [string, Record<string, unknown>, RegExp][] = [
    ['route53', { auth_access_key: 'AKIAIOSFODNN7EXAMPLE' }, /takes the access key and its secret together/],
    ['route53', { zone_id: 'Z1' }, /zone_id names one hosted zone/],
    ['route53', { private_zone: '${PRIVATE}' }, /private_zone comes from the environment/],
    ['googleclouddns', { auth_service_account_info: 'file::key.json' }, /takes the key as a file with an absolute path/],
    ['googleclouddns', { auth_service_account_info: '${GCP_KEY}' }, /takes the key as a file with an absolute path/],
    ['azure', { auth_client_id: 'a', auth_client_secret: 's', auth_tenant_id: 't', auth_subscription_id: 'x' }, /resource_group is not in provider_options/],
    ['ovh', { auth_application_key: 'ak', auth_application_secret: 's', auth_consumer_key: 'c' }, /auth_entrypoint is not in provider_options/],
    ['gandi', { auth_token: 'k' }, /uses Gandi's XML-RPC API unless api_protocol is rest/],
    ['gandi', { auth_token: 'k', api_protocol: 'rpc' }, /uses Gandi's XML-RPC API unless api_protocol is rest/],
    ['linode', { auth_token: 'k' }, /uses Linode's API v3 and its API keys/],
    ['dnsimple', { auth_username: 'me@example.net', auth_password: 'pw' }, /DNSimple's password login/],
  ];
  it.each(kept)('%s %j', (provider, options, why) => {
    const text = profile(provider, options);
    expect(entry(text)).toEqual({ type: 'lexicon', provider, ...options });
    expect(oneLine(text)).toMatch(new RegExp(`# Kept on dns-lexicon's ${provider} provider: .*${why.source}`));
  });
  it('lexicon\'s delegated is dropped with a note, native or not: certfleet finds zones by SOA', () => {
    const native = translate(profile('digitalocean', { auth_token: LONG, delegated: 'sub.example.net' }));
    expect(parse(native.yaml).dns.providers.p).toEqual({ type: 'digitalocean', api_token: LONG });
    expect(native.notes.map((n) => `${n.path}: ${n.message}`)).toContainEqual(expect.stringMatching(/^profiles\[0\]\.provider_options\.delegated: not needed: certfleet finds the zone/));
    expect(entry(profile('henet', { auth_username: 'u', delegated: 'sub.example.net' }))).toEqual({ type: 'lexicon', provider: 'henet', auth_username: 'u' });
  });
});
