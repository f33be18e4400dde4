import { CertfleetError } from '../errors.js';

export interface AcmeProblemDocument {
  type: string;
  detail?: string;
  status?: number;
  identifier?: { type: string; value: string };
  subproblems?: AcmeProblemDocument[];
  instance?: string;
}

/** An ACME error response, with the whole problem document kept (RFC 8555 §6.7). */
export class AcmeProblem extends CertfleetError {
  readonly problem: AcmeProblemDocument;
  readonly httpStatus: number;

  constructor(problem: AcmeProblemDocument, httpStatus: number, url: string) {
    super('ACME_PROBLEM', describeProblem(problem, httpStatus, url), {
      retryable: httpStatus === 429 || httpStatus >= 500 || problem.type.endsWith(':badNonce'),
    });
    this.name = 'AcmeProblem';
    this.problem = problem;
    this.httpStatus = httpStatus;
  }

  /** The short type, e.g. `badNonce` for `urn:ietf:params:acme:error:badNonce`. */
  get shortType(): string {
    return this.problem.type.replace(/^urn:ietf:params:acme:error:/, '');
  }
}

export function describeProblem(p: AcmeProblemDocument, status: number, url: string): string {
  const short = p.type.replace(/^urn:ietf:params:acme:error:/, '');
  let msg = `ACME ${short} (HTTP ${status}) at ${url}${p.detail ? `: ${p.detail}` : ''}`;
  for (const sub of p.subproblems ?? []) {
    msg += `; ${sub.identifier?.value ?? '?'}: ${sub.type.replace(/^urn:ietf:params:acme:error:/, '')}${sub.detail ? ` ${sub.detail}` : ''}`;
  }
  return msg;
}

export function parseProblem(body: string): AcmeProblemDocument | undefined {
  try {
    const doc = JSON.parse(body) as unknown;
    if (doc && typeof doc === 'object' && typeof (doc as { type?: unknown }).type === 'string') {
      return doc as AcmeProblemDocument;
    }
  } catch { /* not JSON: the caller reports the raw body */ }
  return undefined;
}
