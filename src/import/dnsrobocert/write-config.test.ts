import { describe, expect, it } from 'vitest';
import { writeConfig } from './write-config.js';

describe('writeConfig', () => {
  it('puts each comment above its field, a list item\'s first field\'s above the dash, and the header on top', () => {
    const yaml = writeConfig(
      { acme: { directory: 'letsencrypt' }, certificates: [{ name: 'web', key_type: 'rsa-2048', deploy: [] }] },
      [{ path: ['acme', 'directory'], text: 'the CA' }, { path: ['certificates', 0, 'name'], text: 'the lineage' }, { path: ['certificates', 0, 'key_type'], text: 'kept' }],
      ['head', '', 'more'],
    );
    expect(yaml).toBe(`# head

# more

acme:
  # the CA
  directory: letsencrypt
certificates:
  # the lineage
  - name: web
    # kept
    key_type: rsa-2048
    deploy: []
`);
  });
  it('writes a hook as a flow list with each word that has blanks quoted, and wraps long comments', () => {
    const yaml = writeConfig({ certificates: [{ deploy: [{ hook: ['/bin/sh', '-c', 'a && b: c'] }] }] }, [{ path: ['certificates'], text: 'word '.repeat(30).trim() }], []);
    expect(yaml).toContain('- hook: [ /bin/sh, -c, "a && b: c" ]');
    const comment = yaml.split('\n').filter((l) => l.startsWith('#'));
    expect(comment.length).toBe(2);
    expect(comment.every((l) => l.length <= 100)).toBe(true);
    expect(comment.map((l) => l.slice(2)).join(' ')).toBe('word '.repeat(30).trim());
  });
});
