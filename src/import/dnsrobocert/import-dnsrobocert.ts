import { ConfigError, type ConfigProblem } from '../../config/load-config.js';
import { readDnsrobocert, dotted, type DrcFile } from './read-dnsrobocert.js';
import { translateConfig } from './translate-config.js';
import { writeConfig } from './write-config.js';

export interface ImportResult {
  /** The certfleet config, commented. */
  yaml: string;
  /** DNSroboCert keys that have no certfleet counterpart, each with its reason and location. */
  notes: ConfigProblem[];
}

/**
 * `certfleet import dnsrobocert FILE`: reads and validates the DNSroboCert file as DNSroboCert
 * would, translates it, and writes the commented certfleet config. A file DNSroboCert would
 * refuse, or one that cannot be translated, throws ConfigError with every problem located.
 */
export async function importDnsrobocert(file: string, signal: AbortSignal): Promise<ImportResult> {
  return importParsed(await readDnsrobocert(file, signal));
}

export function importParsed(drc: DrcFile): ImportResult {
  const { config, translation } = translateConfig(drc.config);
  // A problem is with a value; a note is about a key.
  const located = (items: readonly { at: (string | number)[]; text: string }[], atKey: boolean): ConfigProblem[] => items.map(({ at, text }) => {
    const pos = drc.locate(at, atKey);
    return { file: drc.file, line: pos.line, column: pos.column, path: dotted(at), message: text };
  });
  const problems = located(translation.problems, false).sort((x, y) => x.line - y.line || x.column - y.column);
  if (problems.length > 0) throw new ConfigError(problems);
  const notes = located(translation.notes, true).sort((x, y) => x.line - y.line || x.column - y.column);
  const header = [
    `certfleet config translated from ${drc.file} by \`certfleet import dnsrobocert\`.`,
    'Check it with `certfleet check-config --config FILE`; the comments say where a choice was made.',
    ...(notes.length > 0 ? ['', 'Not translated, or not the same:', ...notes.map((n) => `- ${n.path} (line ${n.line}): ${n.message}`)] : []),
  ];
  return { yaml: writeConfig(config, translation.comments, header), notes };
}
