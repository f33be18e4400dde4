import { describe, expect, it, vi } from 'vitest';
import { MINIMAL_CONFIG } from '../../test/support/config-problems.js';

/** A fresh copy of the config modules: what a process starting with this config builds. */
async function freshModules() {
  vi.resetModules();
  const [{ parseConfig }, providers] = await Promise.all([import('./load-config.js'), import('./provider-schema.js')]);
  return { parseConfig, providers };
}

describe('provider schemas', () => {
  it('builds the schema of the types a config names, and of no other', async () => {
    const { parseConfig, providers } = await freshModules();
    expect(providers.builtProviderSchemas()).toEqual([]);
    parseConfig(MINIMAL_CONFIG.replace('dns:\n', 'dns:\n  providers:\n    cf:\n      type: cloudflare\n      api_token: t\n').replace('  providers:\n    home:', '    home:'), 'c.yaml');
    expect(providers.builtProviderSchemas().sort()).toEqual(['cloudflare', 'powerdns']);
  });

  it('an unknown type is refused with every type listed (PROVIDER_TYPES, not the schemas)', async () => {
    const { parseConfig } = await freshModules();
    expect(() => parseConfig(MINIMAL_CONFIG.replace('type: powerdns', 'type: powerdsn'), 'c.yaml')).toThrow(/unknown provider type "powerdsn" \(did you mean "powerdns"\?\); expected one of acme-dns, azure, .*vultr$/m);
  });

  it('lists the types in the order of the full union, each the type of its schema', async () => {
    const { providers } = await freshModules();
    const options = providers.providerUnion()._zod.def.options;
    expect(options.map((o) => [...(o._zod.propValues?.type ?? [])][0])).toEqual(providers.PROVIDER_TYPES);
  });

  it('the JSON schema and docs/config.md still describe every type and its options', async () => {
    const { providers } = await freshModules();
    const [{ configJsonSchema }, { configReference }] = await Promise.all([import('./json-schema.js'), import('./config-doc.js')]);
    const json = JSON.stringify((configJsonSchema() as { properties: { dns: { properties: { providers: unknown } } } }).properties.dns.properties.providers);
    const reference = configReference();
    for (const type of providers.PROVIDER_TYPES) {
      expect(json).toContain(`"const":"${type}"`);
      expect(reference).toContain(`### \`type: ${type}\``);
    }
    expect(json).toContain('"api_token"'); // an option of one type (cloudflare), not only the types
  });
});
