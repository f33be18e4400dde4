import path from 'node:path';
import { parseDocument } from 'yaml';
import { parseConfig, readConfigText, type ParseOptions } from './load-config.js';
import { resolveCertificatePaths } from './resolve-paths.js';
import { configSchema, crossFieldIssues, type Config } from './schema.js';
import { shareDefaults } from './shared-defaults.js';

type Certificate = Config['certificates'][number];

/** The schema of one `certificates` entry: an array element is validated on its own anyway. */
const certificateSchema = configSchema.shape.certificates.unwrap().element;

/**
 * The daemon's config parser: the same result as parseConfig, at a cost proportional to what
 * changed since the last parse. The `certificates` list is cut into its entries by their text;
 * an entry whose text was seen before is not parsed or validated again (its result is reused,
 * the same object, so the daemon's digest of it is reused too). The rest of the file is parsed by
 * parseConfig with an empty list.
 *
 * Whatever this cannot vouch for goes to parseConfig whole, so results and error messages are
 * exactly parseConfig's: any problem at all (the located messages come from there), anchors,
 * aliases or merge keys across entries, `${VAR}` or `<secret>_file` inside an entry, document
 * markers, a list at column 0 or in flow style.
 */
export class IncrementalConfigParser {
  /**
   * Entry text -> its validated (and path-resolved) result. Only entries of the last parse are
   * kept. The raw parsed object is not: the cross-entry checks read the result, whose name,
   * first domain and dns are the raw ones (zod only checks them), and one object per entry is
   * kept instead of two (docs/architecture.md, the memory budget per certificate). The keys are
   * slices of the last file's text, so that text is held once, whole, and nothing else of it.
   */
  private entries = new Map<string, Certificate>();
  private base: string | undefined;

  parse(text: string, file: string, opts: ParseOptions = {}): Config {
    return this.tryIncremental(text, file, opts) ?? this.whole(text, file, opts);
  }

  /** parseConfig, and the entry cache emptied (nothing of an unparsable shape is kept). */
  private whole(text: string, file: string, opts: ParseOptions): Config {
    this.entries = new Map();
    return parseConfig(text, file, opts);
  }

  private tryIncremental(text: string, file: string, opts: ParseOptions): Config | undefined {
    const split = splitCertificates(text);
    if (!split) return undefined;
    const base = path.dirname(path.resolve(file));
    // Entries hold paths resolved against the config's directory: another file starts afresh.
    if (base !== this.base) this.entries = new Map();
    this.base = base;
    const next = new Map<string, Certificate>();
    const values: Certificate[] = [];
    for (const chunk of split.entries) {
      let value = next.get(chunk) ?? this.entries.get(chunk);
      if (!value) {
        if (chunk.includes('$') || chunk.includes('_file')) return undefined;
        const raw = parseEntry(chunk);
        if (raw === undefined) return undefined;
        const result = certificateSchema.safeParse(raw);
        if (!result.success) return undefined;
        value = shareDefaults(resolveCertificatePaths(result.data, base));
      }
      next.set(chunk, value);
      values.push(value);
    }
    let head: Config;
    try {
      head = parseConfig(split.head, file, opts);
    } catch {
      return undefined;
    }
    // Duplicate names and unknown provider ids: across entries, so checked on every parse (linear).
    // Read from the results: a duplicate there is one in the raw entries too (zod passes name, dns
    // and the first domain's text through; only a domain it rewrote could make two differ, and
    // then parseConfig decides).
    if (crossFieldIssues({ dns: { providers: head.dns.providers }, certificates: values }).length > 0) return undefined;
    this.entries = next;
    head.certificates = values;
    return head;
  }
}

/** loadConfigFile's result through the entry-wise parser: a one-shot command on a 100,000-certificate file parses it in about a second. */
export async function loadConfigFast(file: string, opts: ParseOptions = {}): Promise<Config> {
  return new IncrementalConfigParser().parse(await readConfigText(file), file, opts);
}

/**
 * The text without the `certificates` block (`certificates: []` in its place) and the block's
 * entries, each the text of one `- ` item with its lines. Undefined for any shape this does not
 * cut with certainty.
 */
export function splitCertificates(text: string): { head: string; entries: string[] } | undefined {
  if (/^(---|\.\.\.|%)/m.test(text) || text.includes('\t') || text.includes('\r')) return undefined;
  if (text.match(/^certificates\s*:/gm)?.length !== 1) return undefined;
  const key = /^certificates\s*:/m.exec(text);
  if (!key) return undefined;
  const lineEnd = text.indexOf('\n', key.index);
  const rest = text.slice(key.index + key[0].length, lineEnd < 0 ? text.length : lineEnd).trim();
  if (rest !== '' && !rest.startsWith('#')) return undefined; // `certificates: [...]` (flow) or a value on the line
  // Offsets, not lines: at 100,000 entries a split into lines and a string per line cost more than the rest.
  let pos = text.indexOf('\n', key.index);
  pos = pos < 0 ? text.length : pos + 1;
  const entries: string[] = [];
  let indent: number | undefined;
  let entryStart = -1;
  let contentEnd = pos;
  const close = () => { if (entryStart >= 0) entries.push(text.slice(entryStart, contentEnd)); };
  while (pos < text.length) {
    let lineEnd = text.indexOf('\n', pos);
    if (lineEnd < 0) lineEnd = text.length;
    let i = pos;
    while (text.charCodeAt(i) === 32) i++;
    const c = text[i];
    if (i === lineEnd || c === '#') {
      if (i < lineEnd && entryStart >= 0) contentEnd = lineEnd;
      pos = lineEnd + 1;
      continue;
    }
    if (i === pos) {
      if (c === '-') return undefined; // a list at column 0: not cut here
      break;
    }
    const ind = i - pos;
    indent ??= ind;
    if (ind < indent) return undefined;
    if (ind === indent) {
      if (c !== '-' || (i + 1 < lineEnd && text[i + 1] !== ' ')) return undefined;
      close();
      entryStart = pos;
    } else if (entryStart < 0) {
      return undefined;
    }
    contentEnd = lineEnd;
    pos = lineEnd + 1;
  }
  close();
  const blockEnd = Math.min(pos, text.length);
  return { head: `${text.slice(0, key.index)}certificates: []\n${text.slice(blockEnd)}`, entries };
}

/** One entry's value: by the plain-form reader when it applies, else by yaml; undefined on any problem. */
function parseEntry(chunk: string): unknown {
  const plain = plainEntry(chunk);
  if (plain !== undefined) return plain;
  const doc = parseDocument(chunk, { prettyErrors: false, uniqueKeys: true, merge: true });
  // An alias of an anchor elsewhere is an error here: the whole file is parsed then.
  if (doc.errors.length > 0 || doc.warnings.length > 0) return undefined;
  let value: unknown;
  try {
    value = doc.toJS();
  } catch {
    return undefined; // a bad merge key: parseConfig reports it
  }
  return Array.isArray(value) && value.length === 1 ? value[0] : undefined;
}

/** A scalar every YAML 1.2 core-schema reader takes as this string (a letter first, no indicator). */
const PLAIN = /^[A-Za-z][A-Za-z0-9._-]*$/;
const QUOTED = /^"([^"\\]*)"$/;
const BOOLEANS: Record<string, boolean> = { true: true, True: true, TRUE: true, false: false, False: false, FALSE: false };
const NOT_STRINGS = /^(null|Null|NULL|~)$/;

/**
 * The common entry shape read without yaml (about 30 times faster): `- key: value` then
 * `  key: value` lines, each value a plain or simply double-quoted scalar, a boolean, or a flow
 * list of such scalars. Undefined for anything else (yaml reads it then).
 */
export function plainEntry(chunk: string): Record<string, unknown> | undefined {
  const lines = chunk.split('\n');
  const first = /^( *)- ([a-z_]+): (.*)$/.exec(lines[0]!);
  if (!first) return undefined;
  const keyIndent = first[1]!.length + 2;
  const out: Record<string, unknown> = {};
  const add = (key: string, text: string): boolean => {
    if (Object.hasOwn(out, key)) return false;
    const value = scalarOrList(text.trimEnd());
    if (value === undefined) return false;
    out[key] = value;
    return true;
  };
  if (!add(first[2]!, first[3]!)) return undefined;
  for (const line of lines.slice(1)) {
    const m = /^( *)([a-z_]+): (.*)$/.exec(line);
    if (!m || m[1]!.length !== keyIndent || !add(m[2]!, m[3]!)) return undefined;
  }
  return out;
}

function scalarOrList(text: string): unknown {
  if (text.startsWith('[')) {
    if (!text.endsWith(']')) return undefined;
    const inner = text.slice(1, -1).trim();
    if (inner === '') return [];
    const items = inner.split(',').map((s) => scalar(s.trim()));
    return items.every((i): i is string => typeof i === 'string') ? items : undefined;
  }
  return scalar(text);
}

function scalar(text: string): string | boolean | undefined {
  if (Object.hasOwn(BOOLEANS, text)) return BOOLEANS[text];
  if (NOT_STRINGS.test(text)) return undefined;
  if (PLAIN.test(text)) return text;
  return QUOTED.exec(text)?.[1];
}
