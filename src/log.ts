/** Minimal structured logger: JSON lines on stderr, or readable lines on a TTY. pino replaces it with the daemon. */
export type Log = (event: string, fields?: Record<string, unknown>) => void;

export function createLog(format: 'json' | 'pretty', level: 'debug' | 'info' | 'error' = 'info', out: NodeJS.WritableStream = process.stderr): Log {
  return (event, fields = {}) => {
    if (level === 'error' && !('error' in fields)) return;
    if (format === 'json') {
      out.write(`${JSON.stringify({ time: new Date().toISOString(), event, ...fields })}\n`);
    } else {
      const rest = Object.entries(fields).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ');
      out.write(`${event}${rest ? ` ${rest}` : ''}\n`);
    }
  };
}
