import { describe, expect, it } from 'vitest';
import { configJsonSchema } from './json-schema.js';

describe('configJsonSchema', () => {
  const schema = configJsonSchema() as { properties: Record<string, { properties?: Record<string, unknown> }> };

  it('describes the file as written (durations as text, secrets with their _file form)', () => {
    const text = JSON.stringify(schema);
    expect(schema.properties).toHaveProperty('acme');
    expect(schema.properties).toHaveProperty('certificates');
    const providers = schema.properties.dns!.properties!.providers as { additionalProperties: { oneOf?: unknown[]; anyOf?: unknown[] } };
    const powerdns = JSON.stringify(providers.additionalProperties);
    expect(powerdns).toContain('"api_key_file"');
    expect(powerdns).toContain('{"required":["api_key_file"]}');
    expect(text).toContain('"additionalProperties":false');
    expect(text).toContain('ecdsa-p384');
  });

  it('carries the schema\'s descriptions, for editors', () => {
    const certificate = (schema.properties.certificates as unknown as { items: { properties: Record<string, { description?: string }> } }).items;
    expect(certificate.properties.follow_cnames!.description).toMatch(/Follow a CNAME at _acme-challenge/);
    expect(JSON.stringify(schema)).toContain('TTL of the challenge TXT records');
  });

  it('is valid JSON with the draft it declares', () => {
    expect(JSON.parse(JSON.stringify(schema))).toMatchObject({ $schema: expect.stringMatching(/json-schema\.org/) });
  });
});

describe('configJsonSchema with a JSON Schema validator', () => {
  it('accepts a valid config (secret or secret file) and rejects unknown keys and wrong types', async () => {
    const { Ajv2020 } = await import('ajv/dist/2020.js');
    const validate = new Ajv2020({ strict: false }).compile(configJsonSchema());
    const doc = {
      acme: { directory: 'letsencrypt', email: 'a@example.com', eab: { kid: 'k', hmac_key_file: '/run/secrets/eab' } },
      dns: { providers: { home: { type: 'powerdns', api_url: 'http://127.0.0.1:8081', api_key_file: '/run/secrets/pdns', propagation: { timeout: '2m' } } } },
      certificates: [{ name: 'web', domains: ['example.com', '*.example.com'], dns: 'home' }],
      server: { listen: '127.0.0.1:9180' },
    };
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...doc, colour: 'blue' })).toBe(false);
    expect(validate({ ...doc, certificates: [{ domains: 'example.com', dns: 'home' }] })).toBe(false);
    const noKey = structuredClone(doc);
    delete (noKey.dns.providers.home as Partial<typeof doc.dns.providers.home>).api_key_file;
    expect(validate(noKey)).toBe(false);
  });

  it('accepts the DNSroboCert features (issue 17): x-* keys, draft, force_renew, pfx without passphrase, socket lists, numeric ids', async () => {
    const { Ajv2020 } = await import('ajv/dist/2020.js');
    const validate = new Ajv2020({ strict: false }).compile(configJsonSchema());
    const doc = {
      'x-defaults': { anything: [1, 2] }, draft: true,
      acme: {}, dns: { providers: { home: { type: 'powerdns', api_url: 'http://127.0.0.1:8081', api_key: 'k' } } },
      containers: { socket: ['/var/run/docker.sock', '/run/podman/podman.sock'] },
      certificates: [{ domains: ['example.com'], dns: 'home', force_renew: true, deploy: [{ pfx: {} }, { permissions: { user: 1000, group: 'www-data' } }, { copy: { fullchain: '/x', group: 33 } }] }],
    };
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...doc, containers: { socket: '/var/run/docker.sock' } })).toBe(true);
    expect(validate({ ...doc, xdefaults: {} })).toBe(false);
    expect(validate({ ...doc, containers: { socket: [] } })).toBe(false);
  });
});
