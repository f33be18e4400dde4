/**
 * The API's own words from an error body, for the shapes the REST DNS APIs use: `{message}`
 * (DigitalOcean), `{error: {code, message}}` (Hetzner), `{errors: [{field, reason}]}` (Linode),
 * `{error: "…"}` (Vultr). Undefined when the body says nothing readable; cut to 300 characters.
 */
export function apiErrorText(_status: number, body: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object') return undefined;
  const b = parsed as { message?: unknown; error?: unknown; errors?: unknown };
  const text = typeof b.error === 'string' ? b.error
    : typeof b.error === 'object' && b.error !== null ? [(b.error as { code?: unknown }).code, (b.error as { message?: unknown }).message].filter((x) => typeof x === 'string').join(': ')
      : Array.isArray(b.errors) ? b.errors.map((e: { field?: unknown; reason?: unknown; message?: unknown }) => [e.field, e.reason ?? e.message].filter((x) => typeof x === 'string').join(': ')).join('; ')
        : typeof b.message === 'string' ? b.message : '';
  return text ? text.slice(0, 300) : undefined;
}
