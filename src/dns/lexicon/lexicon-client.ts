import { spawn } from 'node:child_process';
import { childEnv } from '../../child/child-env.js';
import { LineSplitter } from '../../child/line-splitter.js';
import { CertfleetError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { processRedactor, Redactor } from '../../redaction.js';
import { HELPER_SOURCE } from './helper-source.js';

/** What the helper says when it fails (see helper-source.ts). */
export interface HelperError {
  kind: 'no_lexicon' | 'unknown_provider' | 'unavailable' | 'bad_option' | 'auth' | 'zone' | 'provider' | 'protocol';
  message: string;
  retryable: boolean;
  unknown?: string[];
  known?: string[];
  providers?: string[];
}

export type HelperAnswer = { ok: true; [field: string]: unknown } | { ok: false; error: HelperError };

export interface HelperRun {
  /** The Python that has lexicon: a path, or a name looked up in the child's PATH. */
  python: string;
  request: Record<string, unknown>;
  /** The lexicon options, by lexicon's name; they go into the environment as LEXICON_<PROVIDER>_<OPTION>, nowhere else. */
  provider?: string;
  options?: Readonly<Record<string, string>>;
  timeoutMs: number;
  log: Logger;
  signal: AbortSignal;
  /** certfleet's environment, for the allow-list; process.env unless a test gives one. */
  from?: NodeJS.ProcessEnv;
}

/** After SIGTERM, how long the helper has to exit before SIGKILL. */
const KILL_GRACE_MS = 2000;
/** An answer larger than this is no answer of the helper's (describe is about 20 KiB). */
const MAX_ANSWER_BYTES = 4 * 1024 * 1024;

export const INSTALL_HINT = 'install it with `apt-get install python3-lexicon` (Debian, Ubuntu), or `pip install dns-lexicon` for that Python';

/** The variable lexicon 3 reads an option of a provider from (lexicon/config.py, EnvironmentConfigSource). */
export function lexiconEnvName(provider: string, option: string): string {
  return `LEXICON_${provider}_${option}`.toUpperCase();
}

/**
 * The helper's whole environment: certfleet's allow-list (PATH, HOME, LANG, …), the options as
 * lexicon's variables, and Python told to write no bytecode and to speak UTF-8. Nothing else of
 * certfleet's environment: its own secrets never reach lexicon.
 */
export function helperEnv(provider: string | undefined, options: Readonly<Record<string, string>>, from?: NodeJS.ProcessEnv): Record<string, string> {
  const env: Record<string, string> = {};
  if (provider) for (const [k, v] of Object.entries(options)) env[lexiconEnvName(provider, k)] = v;
  return childEnv({ env, own: { PYTHONDONTWRITEBYTECODE: '1', PYTHONIOENCODING: 'utf-8' }, ...(from ? { from } : {}) });
}

/**
 * Runs the helper once: one request in, one answer out. Its stderr (lexicon's warnings, tracebacks)
 * is logged line by line with the option values redacted, as is any message of its answer: a
 * provider's error may echo a request, and with it a token. Killed at the timeout or on abort.
 */
export async function runHelper(run: HelperRun): Promise<HelperAnswer> {
  const redactor = new Redactor();
  redactor.add(Object.values(run.options ?? {}));
  const where = `lexicon${run.provider ? ` provider ${run.provider}` : ''} (${run.python})`;
  const outcome = await spawnHelper(run, redactor);
  switch (outcome.kind) {
    case 'aborted':
      throw run.signal.reason instanceof Error ? run.signal.reason : new Error('aborted');
    case 'timed-out':
      throw new CertfleetError('DNS_PROVIDER', `${where}: no answer within ${run.timeoutMs} ms; the helper was stopped`, { retryable: true });
    case 'not-started':
      throw new CertfleetError('DNS_PROVIDER', `${where}: cannot run ${run.python} (${outcome.reason}): lexicon needs Python 3; ${INSTALL_HINT}, or set python: to the Python that has it`);
    case 'exited': {
      let answer: HelperAnswer | undefined;
      try {
        answer = JSON.parse(outcome.stdout) as HelperAnswer;
      } catch {
        answer = undefined;
      }
      if (!answer || typeof answer !== 'object' || typeof answer.ok !== 'boolean') {
        throw new CertfleetError('DNS_PROVIDER', `${where}: the helper exited with ${outcome.code ?? outcome.signal} without an answer; its output is in the log`);
      }
      if (!answer.ok) answer.error.message = redactor.redact(String(answer.error.message));
      return answer;
    }
  }
}

type SpawnOutcome =
  | { kind: 'exited'; code: number | null; signal: NodeJS.Signals | null; stdout: string }
  | { kind: 'timed-out' } | { kind: 'aborted' } | { kind: 'not-started'; reason: string };

function spawnHelper(run: HelperRun, redactor: Redactor): Promise<SpawnOutcome> {
  return new Promise((resolve) => {
    if (run.signal.aborted) return resolve({ kind: 'aborted' });
    // The script is argv (it is no secret); the options are in the environment only.
    const child = spawn(run.python, ['-c', HELPER_SOURCE], { stdio: ['pipe', 'pipe', 'pipe'], env: helperEnv(run.provider, run.options ?? {}, run.from) });
    const chunks: Buffer[] = [];
    let size = 0;
    child.stdout.on('data', (b: Buffer) => {
      size += b.length;
      if (size <= MAX_ANSWER_BYTES) chunks.push(b);
    });
    const redact = (t: string) => redactor.redact(processRedactor.redact(t));
    // The helper's stderr line is a field of one event, as a child's output is (child_output).
    const lines = new LineSplitter((line, truncated) => run.log.warn({ stream: 'stderr', line: redact(line), ...(truncated ? { truncated } : {}) }, 'lexicon_output'), redact);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => lines.push(text));
    child.stderr.on('end', () => lines.end());
    // A helper that dies before reading its request must not crash certfleet with EPIPE.
    child.stdin.on('error', () => undefined);
    child.stdin.end(JSON.stringify(run.request));
    let stopped: 'timed-out' | 'aborted' | undefined;
    const stop = (why: 'timed-out' | 'aborted') => {
      stopped ??= why;
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS).unref();
    };
    const timer = setTimeout(() => stop('timed-out'), run.timeoutMs);
    const onAbort = () => stop('aborted');
    run.signal.addEventListener('abort', onAbort, { once: true });
    const done = (outcome: SpawnOutcome) => {
      clearTimeout(timer);
      run.signal.removeEventListener('abort', onAbort);
      resolve(outcome);
    };
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (child.pid !== undefined) return;
      done({ kind: 'not-started', reason: err.code === 'ENOENT' ? 'no such program' : err.code === 'EACCES' ? 'not executable' : err.message });
    });
    child.on('close', (code, signal) => {
      if (child.pid === undefined) return;
      done(stopped ? { kind: stopped } : { kind: 'exited', code, signal, stdout: size > MAX_ANSWER_BYTES ? '' : Buffer.concat(chunks).toString('utf8') });
    });
  });
}
