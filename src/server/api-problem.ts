import type { ServerResponse } from 'node:http';

/** One located problem of a request: the field path (config spelling, `domains[1]`) and what was expected. */
export interface FieldProblem { path: string; message: string }

/** An RFC 9457 problem detail, with the `errors` extension for field problems. */
export interface Problem {
  status: number;
  title: string;
  detail: string;
  errors?: FieldProblem[];
}

/** `type` URIs name the kind of problem (stable: clients may switch on them); api.md lists them. */
const TYPES: Record<number, string> = {
  400: 'invalid-request', 401: 'unauthorized', 404: 'not-found', 405: 'method-not-allowed', 409: 'conflict',
  413: 'body-too-large', 415: 'unsupported-media-type', 429: 'rate-limited', 500: 'internal-error', 503: 'unavailable',
};

export function sendProblem(res: ServerResponse, p: Problem, headers: Record<string, string> = {}): void {
  const answer = prebuilt(p, headers);
  res.writeHead(p.status, answer.headers).end(answer.body);
}

/** A problem's headers and body, built once (an answer sent many times, like 429). */
export function prebuilt(p: Problem, headers: Record<string, string> = {}): { headers: Record<string, string | number>; body: Buffer } {
  const body = Buffer.from(JSON.stringify({ type: `https://certfleet.dev/problems/${TYPES[p.status] ?? 'error'}`, title: p.title, status: p.status, detail: p.detail, ...(p.errors ? { errors: p.errors } : {}) }));
  return { headers: { 'content-type': 'application/problem+json', 'cache-control': 'no-store', ...headers }, body };
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }).end(JSON.stringify(body));
}
