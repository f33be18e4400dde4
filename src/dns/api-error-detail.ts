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
