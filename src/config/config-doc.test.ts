import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BEGIN_MARKER, configReference, END_MARKER, withReference } from './config-doc.js';

const docFile = path.resolve(import.meta.dirname, '../../docs/config.md');

describe('docs/config.md key reference', () => {
  it('is the one generated from the schema', () => {
    const doc = readFileSync(docFile, 'utf8');
    const fresh = withReference(doc) === doc;
    expect(fresh, 'docs/config.md is stale: run npx tsc -p tsconfig.build.json && node scripts/config-doc.mjs').toBe(true);
  });

  it('lists every key with type, default and description, the keys issue 19 found missing included', () => {
    const ref = configReference();
    for (const key of ['certificates[].deploy[].copy.mode', 'certificates[].deploy[].hook.pass_env', 'certificates[].follow_cnames', 'notify[].webhook.events', 'containers.socket', 'webhook.domain_filter', 'webhook.allow_acme_challenge', 'scheduler.txt_cleanup_timeout']) {
      expect(ref).toMatch(new RegExp(`^\\| \`${key.replace(/[[\].]/g, '\\$&')}\` \\| [^|]+ \\| [^|]+ \\| [^|]+ \\|$`, 'm'));
    }
    // Defaults as they are written, not as parsed.
    expect(ref).toContain('| `scheduler.txt_cleanup_timeout` | duration (`90s`, `2m`, `1h`, `7d`) | `8s` |');
    expect(ref).toContain('| `certificates[].deploy[].copy.mode` | mode (quoted octal) | `"0600"` |');
    expect(ref).toMatch(/### `type: powerdns`\nSee \[providers\/powerdns\.md\]/);
  });

  it('keeps the prose around the markers, and adds the section to a file without one', () => {
    const doc = `# Title\nprose\n${BEGIN_MARKER}\nold\n${END_MARKER}\nafter\n`;
    expect(withReference(doc, 'NEW')).toBe('# Title\nprose\nNEW\nafter\n');
    expect(withReference('# Title\n', 'NEW')).toBe('# Title\n\nNEW\n');
  });
});
