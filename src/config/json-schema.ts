import { z } from 'zod';
import { configSchema, EXTENSION_KEY } from './schema.js';
import { SECRET_OPTIONS } from './secret.js';

type JsonSchema = Record<string, unknown>;

/**
 * The JSON Schema of the config file, generated from the zod schema (the single source of
 * truth), for editors (yaml-language-server) and CI linters. `<option>_file` alternatives of
 * secret options are added here because the loader resolves them before validation.
 */
export function configJsonSchema(): JsonSchema {
  const schema = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  addSecretFiles(schema);
  // store.url (postgres) is a secret of that section only: url_file beside it.
  const store = (schema.properties as Record<string, JsonSchema> | undefined)?.store;
  for (const option of (store?.anyOf ?? store?.oneOf ?? []) as JsonSchema[]) {
    const props = option.properties as Record<string, JsonSchema> | undefined;
    if (props && 'url' in props) props.url_file = { type: 'string', description: 'path of a file holding url (Docker/Kubernetes secret)' };
  }
  // Top-level x-* keys are ignored by the loader (anchors live there): allowed, whatever they hold.
  schema.patternProperties = { [EXTENSION_KEY.source]: {} };
  return {
    ...schema,
    $id: 'https://certfleet.dev/schema/config.json',
    title: 'certfleet configuration',
  };
}

function addSecretFiles(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(addSecretFiles);
  if (node === null || typeof node !== 'object') return;
  const obj = node as JsonSchema;
  const props = obj.properties as Record<string, JsonSchema> | undefined;
  if (props) {
    for (const option of SECRET_OPTIONS) {
      if (!(option in props)) continue;
      props[`${option}_file`] = { type: 'string', description: `path of a file holding ${option} (Docker/Kubernetes secret)` };
      const required = obj.required as string[] | undefined;
      if (required?.includes(option)) {
        obj.required = required.filter((r) => r !== option);
        obj.oneOf = [{ required: [option] }, { required: [`${option}_file`] }];
      }
    }
  }
  if (props && 'accounts' in props && !('accounts_file' in props)) {
    props.accounts_file = { type: 'string', description: 'path of a JSON file of acme-dns accounts (as certfleet acme-dns register, lego and certbot-dns-acmedns write it)' };
  }
  for (const v of Object.values(obj)) addSecretFiles(v);
}
