import { existsSync } from 'node:fs';
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { ConfigError, readConfigText } from '../config/load-config.js';
import { IncrementalConfigParser, type IncrementalParseOptions } from '../config/incremental-config.js';
import type { Config } from '../config/schema.js';
import type { Finding } from '../daemon/security-findings.js';
import { collectSecrets } from '../config/secret.js';
import { createLogger, LOG_LEVELS, type LogFormat, type Logger, type LogLevel } from '../log.js';
import { didYouMeanHint } from '../did-you-mean.js';
import { processRedactor, type Redactor } from '../redaction.js';

const COMMON = {
  config: { type: 'string' },
  'log-format': { type: 'string' },
  'log-level': { type: 'string' },
} as const satisfies ParseArgsOptionsConfig;

export class UsageError extends Error {}

/** Where the config is when --config is not given (INTERFACE.md): $CERTFLEET_CONFIG, then this. */
export const DEFAULT_CONFIG = '/etc/certfleet/certfleet.yaml';

export function parseCommand<T extends ParseArgsOptionsConfig>(args: string[], options: T) {
  const all = { ...COMMON, ...options };
  try {
    const { values } = parseArgs({ args, options: all, allowPositionals: false, strict: true });
    const withConfig = values as typeof values & { config?: string | boolean };
    withConfig.config ??= process.env.CERTFLEET_CONFIG || DEFAULT_CONFIG;
    return withConfig;
  } catch (err) {
    const unknown = /^Unknown option '(--?[^']+)'/.exec((err as Error).message)?.[1];
    if (unknown) throw new UsageError(`unknown option ${unknown}${didYouMeanHint(unknown, Object.keys(all).map((o) => `--${o}`))}; see --help`);
    throw new UsageError(`${(err as Error).message}; see --help`);
  }
}

/** The process's logger: JSON unless stderr is a terminal; every secret of `config` is redacted. */
/**
 * The command's logger. `tap` may take over the output for a format (the live status lines of
 * `issue`): it then gets the JSON lines, redacted, and renders them itself.
 */
export function logFor(values: { 'log-format'?: string | boolean | undefined; 'log-level'?: string | boolean | undefined }, config?: Config, redactor: Redactor = processRedactor, tap?: (format: LogFormat) => { write(json: string): unknown } | undefined): Logger {
  const format = values['log-format'] === 'json' || values['log-format'] === 'pretty'
    ? values['log-format']
    : process.stderr.isTTY ? 'pretty' : 'json';
  const level = values['log-level'];
  if (level !== undefined && !LOG_LEVELS.includes(level as LogLevel)) throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
  if (values['log-format'] !== undefined && values['log-format'] !== format) throw new UsageError('--log-format must be json or pretty');
  if (config) redactor.addLater(() => collectSecrets(config));
  const out = tap?.(format);
  return createLogger({ format: out ? 'json' : format, level: (level as LogLevel | undefined) ?? 'info', redactor, ...(out ? { out } : {}) });
}

/** Loads the config named by --config; prints every problem and returns undefined on error. */
export async function configFor(values: { config?: string | boolean | undefined }, onSections?: IncrementalParseOptions['onSections']): Promise<Config | undefined> {
  return (await loadedConfigFor(values, new IncrementalConfigParser(), onSections ? { onSections } : {}))?.config;
}

/**
 * configFor's config with the text it was parsed from, through `parser`: `run` hands both to the
 * daemon, whose reloads then reuse that parser's entries (a second parse at start cost 1.5 s at
 * 100,000 certificates).
 */
export async function loadedConfigFor(values: { config?: string | boolean | undefined }, parser: IncrementalConfigParser, hooks: { onSections?: IncrementalParseOptions['onSections']; beforeParse?: (text: string) => void } = {}): Promise<{ text: string; config: Config } | undefined> {
  if (typeof values.config !== 'string') {
    process.stderr.write('certfleet: --config FILE is required\n');
    return undefined;
  }
  if (values.config === DEFAULT_CONFIG && !existsSync(DEFAULT_CONFIG)) {
    process.stderr.write(`certfleet: no config: ${DEFAULT_CONFIG} does not exist; give --config FILE or set CERTFLEET_CONFIG\n`);
    return undefined;
  }
  try {
    const text = await readConfigText(values.config);
    hooks.beforeParse?.(text);
    return { text, config: parser.parse(text, values.config, hooks.onSections ? { onSections: hooks.onSections } : {}) };
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`certfleet: invalid config:\n${err.message}\n`);
      return undefined;
    }
    throw err;
  }
}

/**
 * Production mode refuses insecure settings with one error that lists them all (exit 2);
 * otherwise each finding is a warning in the log. Returns false when the command must not start.
 */
export async function securityGate(config: Config, log: Logger): Promise<boolean> {
  const { isProduction, securityFindings } = await import('../daemon/security-findings.js');
  const findings = await securityFindings(config);
  const production = isProduction(config);
  const errors = findings.filter((f) => f.severity === 'error');
  if (production && errors.length > 0) {
    process.stderr.write(refusal(errors));
    return false;
  }
  for (const f of findings) log.warn({ problem: f.problem, fix: f.fix, production }, 'security_finding');
  return true;
}

/** The one error production mode gives at start: every problem with its fix. */
export function refusal(findings: readonly Finding[]): string {
  return `certfleet: refusing to start in production mode; fix ${findings.length === 1 ? 'this problem' : `these ${findings.length} problems`}:\n${findings.map((f) => `  - ${f.problem}\n    fix: ${f.fix}`).join('\n')}\n`;
}
