import { describe, expect, it } from 'vitest';
import { bearerTokenCheck } from './bearer-token.js';

describe('bearerTokenCheck', () => {
  const check = bearerTokenCheck('s3cret-token-value');

  it('accepts the token in the Bearer scheme, case-insensitively', () => {
    expect(check('Bearer s3cret-token-value')).toBe(true);
    expect(check('bearer s3cret-token-value')).toBe(true);
  });

  it('refuses anything else', () => {
    for (const h of [undefined, '', 'Bearer', 'Bearer ', 'Bearer s3cret-token-valu', 'Bearer s3cret-token-value2', 'Basic s3cret-token-value', 's3cret-token-value', 'Bearer s3cret-token-value extra']) {
      expect(check(h)).toBe(false);
    }
  });
});
