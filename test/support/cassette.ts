import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse, type Tags } from 'yaml';

/**
 * HTTP traffic recorded against the real DNS APIs by dns-lexicon's integration tests (MIT, see
 * test/cassettes/LICENSE-dns-lexicon): VCR.py cassettes, one file per lexicon test. They are
 * the closest thing to the real servers this machine can reach, so every provider fake and
 * client test is built from them.
 */
export interface RecordedInteraction {
  /** The cassette file (lexicon's test name), for messages. */
  cassette: string;
  method: string;
  url: URL;
  requestHeaders: Record<string, string>;
  /** The request body as text ('' when there was none). */
  requestBody: string;
  status: number;
  responseHeaders: Record<string, string>;
  responseBody: string;
}

const CASSETTES = fileURLToPath(new URL('../cassettes/', import.meta.url));

// VCR.py writes Python 2 unicode strings and bytes with their own tags.
const customTags: Tags = [
  { tag: 'tag:yaml.org,2002:python/unicode', resolve: (s: string) => s },
  { tag: 'tag:yaml.org,2002:binary', resolve: (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'base64').toString('utf8') },
];

/**
 * Every recorded interaction of one provider (a folder of test/cassettes/), in file and request
 * order. `provider` is the folder (`hetzner`), or folder/suite where there are several
 * (`gandi/REST-IntegrationTests`).
 */
export function loadCassettes(provider: string, filter: (file: string) => boolean = () => true): RecordedInteraction[] {
  const dir = `${CASSETTES}${provider.includes('/') ? provider : `${provider}/IntegrationTests`}/`;
  const out: RecordedInteraction[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml') && filter(f)).sort()) {
    const doc = parse(readFileSync(`${dir}${file}`, 'utf8'), { customTags, schema: 'yaml-1.1' }) as { interactions: RawInteraction[] };
    for (const i of doc.interactions) {
      out.push({
        cassette: file.replace(/\.yaml$/, ''),
        method: i.request.method.toUpperCase(),
        url: new URL(i.request.uri),
        requestHeaders: flatHeaders(i.request.headers),
        requestBody: bodyText(i.request.body),
        status: i.response.status.code,
        responseHeaders: flatHeaders(i.response.headers),
        responseBody: bodyText(i.response.body),
      });
    }
  }
  if (out.length === 0) throw new Error(`no cassettes for ${provider}`);
  return out;
}

interface RawInteraction {
  request: { method: string; uri: string; body: RawBody; headers?: Record<string, unknown> };
  response: { status: { code: number }; headers?: Record<string, unknown>; body: RawBody };
}
type RawBody = string | null | { string?: string | null };

function bodyText(b: RawBody): string {
  if (b === null || b === undefined) return '';
  if (typeof b === 'string') return b;
  return b.string ?? '';
}

function flatHeaders(h: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h ?? {})) out[k.toLowerCase()] = Array.isArray(v) ? v.map(String).join(', ') : String(v);
  return out;
}

/** The JSON body of a recorded response (or request), parsed; throws with the cassette's name when it is not JSON. */
export function recordedJson<T = unknown>(i: RecordedInteraction, which: 'request' | 'response' = 'response'): T {
  const text = which === 'request' ? i.requestBody : i.responseBody;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new Error(`${i.cassette}: ${i.method} ${i.url.pathname}: the recorded ${which} body is not JSON`);
  }
}

/** The first recorded interaction that matches, for feeding a client the real answer verbatim. */
export function findRecorded(all: RecordedInteraction[], match: { method?: string; path?: RegExp; status?: number; cassette?: RegExp }): RecordedInteraction {
  const hit = all.find((i) => (!match.method || i.method === match.method)
    && (!match.path || match.path.test(i.url.pathname))
    && (match.status === undefined || i.status === match.status)
    && (!match.cassette || match.cassette.test(i.cassette)));
  if (!hit) throw new Error(`no recorded interaction matches ${JSON.stringify({ ...match, path: match.path?.source, cassette: match.cassette?.source })}`);
  return hit;
}
