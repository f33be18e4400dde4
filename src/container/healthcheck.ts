// The container image's HEALTHCHECK: GET /healthz with Node alone, so the image needs no curl or wget.
// Exit 0 when the answer is 200 within the timeout, 1 otherwise (Docker's healthy / unhealthy).
import { get } from 'node:http';
import { pathToFileURL } from 'node:url';

export const DEFAULT_HEALTH_URL = 'http://127.0.0.1:9180/healthz';

/** Resolves to undefined when `url` answers 200, else to the reason it is not healthy. */
export function checkHealth(url: string, signal: AbortSignal): Promise<string | undefined> {
  return new Promise((resolve) => {
    const request = get(url, { signal }, (response) => {
      response.resume();
      resolve(response.statusCode === 200 ? undefined : `${url} answered ${String(response.statusCode)}`);
    });
    request.on('error', (error) => resolve(`${url}: ${error.message}`));
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const url = process.env.CERTFLEET_HEALTH_URL ?? DEFAULT_HEALTH_URL;
  const problem = await checkHealth(url, AbortSignal.timeout(4000));
  if (problem) process.stderr.write(`unhealthy: ${problem}\n`);
  process.exitCode = problem ? 1 : 0;
}
