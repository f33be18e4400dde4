import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Checks `Authorization: Bearer <token>` in constant time. Both sides are hashed first, so
 * the comparison takes the same time whatever the length of what was sent.
 */
export function bearerTokenCheck(token: string): (authorization: string | undefined) => boolean {
  const expected = createHash('sha256').update(token).digest();
  return (authorization) => {
    const m = /^Bearer +(\S+) *$/i.exec(authorization ?? '');
    const given = createHash('sha256').update(m?.[1] ?? '').digest();
    return timingSafeEqual(given, expected) && m !== null;
  };
}
