/**
 * The API's own message from a JSON error body, as `pick` finds it (a string, or anything that
 * is then shown as JSON); undefined when the body is not JSON or has no message. For
 * ProviderHttp's `errorDetail`: the secrets are scrubbed from it there.
 */
export function jsonDetail(body: string, pick: (json: Record<string, unknown>) => unknown): string | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (json === null || typeof json !== 'object') return undefined;
  const said = pick(json as Record<string, unknown>);
  if (said === undefined || said === null || said === '') return undefined;
  return (typeof said === 'string' ? said : JSON.stringify(said)).slice(0, 300);
}

const strings = (...xs: unknown[]): string => xs.filter((x) => typeof x === 'string').join(': ');

/**
 * jsonDetail for the shapes the token REST APIs use: `{message}` (DigitalOcean), `{error: {code,
 * message}}` (Hetzner), `{errors: [{field, reason}]}` (Linode), `{error: "…"}` (Vultr).
 */
export function apiErrorText(_status: number, body: string): string | undefined {
  return jsonDetail(body, (b) => {
    if (typeof b.error === 'string') return b.error;
    if (typeof b.error === 'object' && b.error !== null) return strings((b.error as { code?: unknown }).code, (b.error as { message?: unknown }).message);
    if (Array.isArray(b.errors)) return b.errors.map((e: { field?: unknown; reason?: unknown; message?: unknown }) => strings(e.field, e.reason ?? e.message)).join('; ');
    return typeof b.message === 'string' ? b.message : '';
  });
}
