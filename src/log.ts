import { processRedactor, Redactor } from './redaction.js';

export { Redactor };

export type LogFormat = 'json' | 'pretty';
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** One level's method: fields and a message, or a message alone (pino's calling convention). */
export interface LogFn {
  (fields: object, msg?: string): void;
  (msg: string): void;
}

/** The process's logger; components take `log.child({ component })`. */
export interface Logger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  /** A logger whose every line also carries `bindings`. */
  child(bindings: Record<string, unknown>): Logger;
}

export interface LoggerOptions {
  format: LogFormat;
  level?: LogLevel;
  redactor?: Redactor;
  out?: { write(text: string): unknown };
}

/**
 * The one logger of a process, configured once. JSON lines as pino wrote them (level name, ISO
 * time, bindings, fields, msg; an `err` field as pino's error serializer renders it), every line
 * through the redactor, written synchronously. Written here rather than taken from pino: pino
 * and its dependencies cost about 14 ms of every `certfleet` start (loading and building it,
 * measured), for the four levels and child bindings certfleet uses.
 */
export function createLogger(opts: LoggerOptions): Logger {
  const out = opts.out ?? process.stderr;
  const redactor = opts.redactor ?? processRedactor;
  const pretty = opts.format === 'pretty';
  const sink: Sink = {
    min: RANK[opts.level ?? 'info'],
    write(line: string) {
      const safe = redactor.redact(line);
      out.write(pretty ? prettyLine(safe) : safe);
    },
  };
  return new LineLogger(sink, '');
}

const RANK: Record<LogLevel, number> = { debug: 20, info: 30, warn: 40, error: 50 };

interface Sink {
  min: number;
  write(line: string): void;
}

class LineLogger implements Logger {
  readonly debug: LogFn;
  readonly info: LogFn;
  readonly warn: LogFn;
  readonly error: LogFn;

  /** `bound` is the bindings already serialised (`,"component":"dns"`): once per child, not per line. */
  constructor(private readonly sink: Sink, private readonly bound: string) {
    this.debug = this.level('debug');
    this.info = this.level('info');
    this.warn = this.level('warn');
    this.error = this.level('error');
  }

  child(bindings: Record<string, unknown>): Logger {
    return new LineLogger(this.sink, this.bound + fieldsJson(bindings));
  }

  private level(name: LogLevel): LogFn {
    if (RANK[name] < this.sink.min) return noop;
    const head = `{"level":"${name}","time":"`;
    return (fields: object | string, msg?: string) => {
      const text = typeof fields === 'string' ? fields : msg;
      const body = typeof fields === 'string' ? '' : fieldsJson(fields);
      this.sink.write(`${head}${new Date().toISOString()}"${this.bound}${body}${text === undefined ? '' : `,"msg":${JSON.stringify(text)}`}}\n`);
    };
  }
}

function noop(): void {}

/** `,"key":value` for each field JSON can show (undefined and functions left out, as pino does). */
function fieldsJson(fields: object): string {
  let s = '';
  for (const [k, v] of Object.entries(fields)) {
    const json = k === 'err' && v instanceof Error ? stringify(serializeError(v)) : stringify(v);
    if (json !== undefined) s += `,${JSON.stringify(k)}:${json}`;
  }
  return s;
}

/** JSON.stringify that cannot throw: a BigInt as a number, a cycle as "[Circular]" (as pino's safe stringify). */
function stringify(v: unknown): string | undefined {
  try {
    return JSON.stringify(v);
  } catch {
    const seen = new WeakSet<object>();
    return JSON.stringify(v, (_k, x: unknown) => {
      if (typeof x === 'bigint') return Number(x);
      if (typeof x === 'object' && x !== null) {
        if (seen.has(x)) return '[Circular]';
        seen.add(x);
      }
      return x;
    });
  }
}

/** pino's `err` serializer: type, message and stack with their causes, and the error's own fields (code, ...). */
function serializeError(err: Error): Record<string, unknown> {
  const causes: Error[] = [];
  for (let c: unknown = err.cause; c instanceof Error && causes.length < 10; c = c.cause) causes.push(c);
  return {
    type: err.constructor.name,
    message: [err, ...causes].map((e) => e.message).join(': '),
    stack: [err, ...causes].map((e) => e.stack ?? '').join('\ncaused by: '),
    ...Object.fromEntries(Object.entries(err).filter(([k]) => k !== 'cause')),
  };
}

/** A readable one-line rendering of a pino JSON line, for terminals. */
export function prettyLine(json: string): string {
  let rec: Record<string, unknown>;
  try {
    rec = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const { time, level, msg, component, err, ...rest } = rec;
  const clock = typeof time === 'string' ? time.slice(11, 23) : '';
  const at = typeof time === 'string' ? Date.parse(time) : NaN;
  const fields = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === 'string' ? v + whenInWords(k, v, at) : JSON.stringify(v)}`).join(' ');
  const error = err && typeof err === 'object' ? ` error=${String((err as { message?: unknown }).message)}` : '';
  return `${clock} ${String(level).toUpperCase().padEnd(5)} ${typeof component === 'string' ? `[${component}] ` : ''}${typeof msg === 'string' ? msg : ''}${fields ? ` ${fields}` : ''}${error}\n`;
}

/** A moment field (`next_attempt_at`) also in words, relative to the line's time: ` (in 10 min)`. */
function whenInWords(key: string, value: string, lineTime: number): string {
  const moment = key.endsWith('_at') ? Date.parse(value) : NaN;
  if (Number.isNaN(moment) || Number.isNaN(lineTime)) return '';
  const s = Math.round(Math.abs(moment - lineTime) / 1000);
  const span = s < 90 ? `${s} s` : s < 90 * 60 ? `${Math.round(s / 60)} min` : s < 48 * 3600 ? `${Math.round(s / 3600)} h` : `${Math.round(s / 86_400)} days`;
  return moment >= lineTime ? ` (in ${span})` : ` (${span} ago)`;
}
