import { createLogger, Redactor, type Logger } from '../../src/log.js';
import { registerOutput } from './secret-scan.js';

export interface CapturedLog {
  log: Logger;
  /** The logger's redactor (a daemon adds its config's secrets to it). */
  redactor: Redactor;
  /** Every line written, after redaction. */
  lines: string[];
  /** Parsed records. */
  records(): Record<string, unknown>[];
}

/** A real logger (src/log.ts) whose lines are kept for assertions and for the suite's secret scan. */
export function captureLog(secrets: Iterable<string> = []): CapturedLog {
  const lines: string[] = [];
  registerOutput(lines);
  const redactor = new Redactor();
  redactor.add(secrets);
  const log = createLogger({ format: 'json', level: 'debug', redactor, out: { write: (t: string) => lines.push(t) } });
  return { log, redactor, lines, records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}
