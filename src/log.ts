import { pino, type Logger } from 'pino';
import { processRedactor, Redactor } from './redaction.js';

export { Redactor };

export type { Logger };
export type LogFormat = 'json' | 'pretty';
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LoggerOptions {
  format: LogFormat;
  level?: LogLevel;
  redactor?: Redactor;
  out?: { write(text: string): unknown };
}

/** The one logger of a process (pino), configured once; components take `log.child({ component })`. */
export function createLogger(opts: LoggerOptions): Logger {
  const out = opts.out ?? process.stderr;
  const redactor = opts.redactor ?? processRedactor;
  const pretty = opts.format === 'pretty';
  return pino({
    level: opts.level ?? 'info',
    base: null,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    serializers: { err: pino.stdSerializers.err },
  }, {
    write(line: string) {
      const safe = redactor.redact(line);
      out.write(pretty ? prettyLine(safe) : safe);
    },
  });
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
