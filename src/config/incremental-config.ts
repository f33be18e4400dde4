import path from 'node:path';
import { parseDocument } from 'yaml';
import { parseConfig, type ParseOptions } from './load-config.js';
import { resolveCertificatePaths } from './resolve-paths.js';
import { fastCertificate, readPlainEntry } from './fast-certificate.js';
import { certificateSchema, crossFieldName, type Config } from './schema.js';
import { shareDefaults } from './shared-defaults.js';

type Certificate = Config['certificates'][number];

export interface IncrementalParseOptions extends ParseOptions {
  /**
   * Called with every section but `certificates` (an empty list there) and the number of
   * entries, once those sections are valid and before the entries are read; at most once, and
   * only when the entries can be cut from the text. The parse may still fail after it: whatever
   * the caller started then is its own to stop. `list` opens the store meanwhile (directory
   * listings of 100,000 names each run on the thread pool while the entries are parsed).
   */
  onSections?: (sections: Config, entries: number) => void;
}

/** What a parse leaves for the next: its text, where its entries stand in it, and their results. */
interface LastParse {
  text: string;
  /** Each entry's start and end offset in `text`, in order. */
  bounds: Int32Array;
  values: Certificate[];
  /** The `dns.providers` ids the values were checked against. */
  providers: string;
  /** How many entries have each name (as crossFieldIssues derives it): a count above 1 is a duplicate. */
  names: Map<string, number>;
}

/**
 * The daemon's config parser: the same result as parseConfig, at a cost proportional to what
 * changed since the last parse. The `certificates` list is cut into its entries by their text;
 * an entry that stands, with the same text, in the part of the file before or after the edit
 * (the common prefix and suffix of the two texts) is not parsed or validated again: its result
 * is reused, the same object, so the daemon's digest of it is reused too. Offsets, not a map of
 * entry texts: hashing 100,000 texts on every edit cost more than the rest of the re-parse.
 * The rest of the file is parsed by parseConfig with an empty list.
 *
 * Whatever this cannot vouch for goes to parseConfig whole, so results and error messages are
 * exactly parseConfig's: any problem at all (the located messages come from there), anchors,
 * aliases or merge keys across entries, `${VAR}` or `<secret>_file` inside an entry, document
 * markers, a list at column 0 or in flow style.
 */
export class IncrementalConfigParser {
  /**
   * The last parse. The raw parsed entries are not kept: the cross-entry checks read the
   * results, whose name, first domain and dns are the raw ones (zod only checks them), and one
   * object per entry is kept instead of two (docs/architecture.md, the memory budget per
   * certificate). The file's text is held once, whole.
   */
  private last: LastParse | undefined;
  private base: string | undefined;

  parse(text: string, file: string, opts: IncrementalParseOptions = {}): Config {
    return this.tryIncremental(text, file, opts) ?? this.whole(text, file, opts);
  }

  /** parseConfig, and the last parse forgotten (nothing of an unparsable shape is kept). */
  private whole(text: string, file: string, opts: ParseOptions): Config {
    this.last = undefined;
    return parseConfig(text, file, opts);
  }

  private tryIncremental(text: string, file: string, opts: IncrementalParseOptions): Config | undefined {
    const split = splitCertificates(text);
    if (!split) return undefined;
    const base = path.dirname(path.resolve(file));
    // Entries hold paths resolved against the config's directory: another file starts afresh.
    const last = base === this.base ? this.last : undefined;
    this.base = base;
    this.last = undefined; // until this parse succeeds (its names map is updated in place)
    const { bounds } = split;
    const count = bounds.length / 2;
    // The other sections first: a caller can start on the store while the entries are read.
    let head: Config;
    try {
      head = parseConfig(split.head, file, opts);
    } catch {
      return undefined;
    }
    opts.onSections?.(head, count);
    const values = new Array<Certificate>(count);
    const added: Certificate[] = [];
    const reused = new Uint8Array(last ? last.values.length : 0);
    const { prefix, suffixStart, delta } = last ? unchangedParts(last.text, text) : { prefix: 0, suffixStart: text.length, delta: 0 };
    let j = 0;
    for (let i = 0; i < count; i++) {
      const start = bounds[2 * i]!;
      const end = bounds[2 * i + 1]!;
      let value: Certificate | undefined;
      // The old entry at the same text: same offsets before the edit, shifted by delta after it.
      const old = !last ? -1 : end <= prefix ? start : start >= suffixStart ? start - delta : -1;
      if (last && old >= 0) {
        while (j < reused.length && last.bounds[2 * j]! < old) j++;
        if (j < reused.length && last.bounds[2 * j] === old && last.bounds[2 * j + 1] === end - (start - old)) {
          value = last.values[j];
          reused[j] = 1;
        }
      }
      if (!value) {
        value = parseEntryAt(text, start, end, base);
        if (!value) return undefined;
        added.push(value);
      }
      values[i] = value;
    }
    // Duplicate names and unknown provider ids: across entries. Only what was added can make a
    // duplicate; every dns is checked again only when the providers changed. Read from the
    // results: a duplicate there is one in the raw entries too (zod passes name, dns and the
    // first domain's text through; only a domain it rewrote could make two differ, and then
    // parseConfig decides).
    const providerIds = Object.keys(head.dns.providers);
    const providers = JSON.stringify(providerIds);
    const names = last?.names ?? new Map<string, number>();
    if (last) {
      for (let k = 0; k < reused.length; k++) {
        if (reused[k]) continue;
        const name = crossFieldName(last.values[k]!)!;
        const n = names.get(name)!;
        if (n > 1) names.set(name, n - 1);
        else names.delete(name);
      }
    }
    for (const c of added) {
      const name = crossFieldName(c)!;
      if (names.has(name)) return undefined;
      names.set(name, 1);
    }
    const known = new Set(providerIds);
    for (const c of last?.providers === providers ? added : values) if (!providersKnown(c, known)) return undefined;
    this.last = { text, bounds: Int32Array.from(bounds), values, providers, names };
    head.certificates = values;
    return head;
  }
}

/** Whether every provider id a (validated) entry names is defined. */
function providersKnown(c: Certificate, known: ReadonlySet<string>): boolean {
  if (typeof c.dns === 'string') return known.has(c.dns);
  for (const id of Object.values(c.dns)) if (!known.has(id)) return false;
  return true;
}

/** One entry's result: the fast path when it applies, else yaml and zod; undefined on any problem (parseConfig reports it). */
function parseEntryAt(text: string, start: number, end: number, base: string): Certificate | undefined {
  const plain = readPlainEntry(text, start, end);
  const fast = plain && fastCertificate(plain);
  if (fast) return fast;
  const chunk = text.slice(start, end);
  if (chunk.includes('$') || chunk.includes('_file')) return undefined;
  const raw = plain ?? yamlEntry(chunk);
  if (raw === undefined) return undefined;
  const result = certificateSchema.safeParse(raw);
  return result.success ? shareDefaults(resolveCertificatePaths(result.data, base)) : undefined;
}

/** Chunks compared at once: a native comparison of 4 KB slices, then characters in the one that differs. */
const CHUNK = 4096;

/**
 * Where two texts agree: `prefix` characters at the start, and from `suffixStart` (an offset in
 * `next`) to the end, which is `delta` characters later than in `prev`. The two never overlap.
 */
export function unchangedParts(prev: string, next: string): { prefix: number; suffixStart: number; delta: number } {
  const max = Math.min(prev.length, next.length);
  let p = 0;
  while (p + CHUNK <= max && prev.slice(p, p + CHUNK) === next.slice(p, p + CHUNK)) p += CHUNK;
  while (p < max && prev.charCodeAt(p) === next.charCodeAt(p)) p++;
  const room = max - p;
  const a = prev.length;
  const b = next.length;
  let s = 0;
  while (s + CHUNK <= room && prev.slice(a - s - CHUNK, a - s) === next.slice(b - s - CHUNK, b - s)) s += CHUNK;
  while (s < room && prev.charCodeAt(a - 1 - s) === next.charCodeAt(b - 1 - s)) s++;
  return { prefix: p, suffixStart: b - s, delta: b - a };
}

/**
 * The text without the `certificates` block (`certificates: []` in its place) and where the
 * block's entries stand: for each, the start and end offset of one `- ` item with its lines. Undefined for any shape this does not
 * cut with certainty.
 */
export function splitCertificates(text: string): { head: string; bounds: number[] } | undefined {
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
  const bounds: number[] = [];
  let indent: number | undefined;
  let entryStart = -1;
  let contentEnd = pos;
  const close = () => { if (entryStart >= 0) bounds.push(entryStart, contentEnd); };
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
  return { head: `${text.slice(0, key.index)}certificates: []\n${text.slice(blockEnd)}`, bounds };
}

/** One entry's value read by yaml; undefined on any problem. */
function yamlEntry(chunk: string): unknown {
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
