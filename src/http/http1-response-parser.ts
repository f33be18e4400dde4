/**
 * An HTTP/1.1 response read from a connection's bytes (RFC 9112): the status line, the header
 * fields, and the body framed by Content-Length, chunked transfer coding, or the connection's
 * close. For HttpPool, which sends one request at a time on a connection, so a response is
 * whole when its framing says so, and bytes after it mean the connection cannot be used again.
 *
 * Strict where leniency lets a server smuggle a second response or grow memory: header lines end
 * in CRLF, no obsolete line folding, one Content-Length value, and limits on the header block,
 * a chunk-size line, and the body.
 */

const EMPTY = Buffer.alloc(0);
const CRLF = Buffer.from('\r\n');
const HEAD_END = Buffer.from('\r\n\r\n');
const STATUS_LINE = /^HTTP\/1\.([01]) ([1-9]\d\d)(?= |$)/;
const FIELD_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const CHUNK_SIZE = /^[0-9A-Fa-f]{1,15}$/;
/** Node's default limit for a header block (--max-http-header-size). */
const MAX_HEADER_BYTES = 16 * 1024;
const MAX_CHUNK_LINE_BYTES = 1024;

/** A response that breaks HTTP/1.1, or one over the caller's size limit; `code` is stable. */
export class HttpProtocolError extends Error {
  constructor(readonly code: 'HTTP_BAD_RESPONSE' | 'HTTP_BODY_TOO_LARGE', message: string) {
    super(message);
    this.name = 'HttpProtocolError';
  }
}

/** Header fields by lower-case name; repeated fields joined with ", " as RFC 9110 §5.3 allows. */
export class ResponseHeaders {
  private readonly fields = new Map<string, string>();

  add(name: string, value: string): void {
    const key = name.toLowerCase();
    const had = this.fields.get(key);
    this.fields.set(key, had === undefined ? value : `${had}, ${value}`);
  }

  get(name: string): string | null {
    return this.fields.get(name.toLowerCase()) ?? null;
  }

  entries(): [string, string][] {
    return [...this.fields];
  }
}

export interface ParsedResponse {
  status: number;
  headers: ResponseHeaders;
  body: Buffer;
  /** The connection may carry another request: persistent, framed, and nothing after this response. */
  reusable: boolean;
}

type State = 'head' | 'length' | 'chunk-size' | 'chunk-data' | 'chunk-end' | 'trailers' | 'until-close' | 'done';

export class Http1ResponseParser {
  private state: State = 'head';
  /** Bytes not yet parsed: of the head, a chunk-size line, a chunk's CRLF, or the trailers. */
  private pending: Buffer = EMPTY;
  private readonly chunks: Buffer[] = [];
  private size = 0;
  /** Body bytes still to come: of the Content-Length body, or of the current chunk. */
  private remaining = 0;
  private status = 0;
  private headers = new ResponseHeaders();
  private persistent = true;
  /** Whether any byte arrived: a connection closed before that never answered. */
  started = false;

  constructor(private readonly opts: { head: boolean; maxBodyBytes: number }) {}

  /** Bytes from the connection; the response once it is whole. */
  push(data: Buffer): ParsedResponse | undefined {
    if (data.length > 0) this.started = true;
    if (this.state === 'done') throw bad('bytes after the end of the response');
    if (this.state === 'length' || this.state === 'chunk-data' || this.state === 'until-close') {
      const whole = this.bodyBytes(data);
      if (whole || this.at() !== 'chunk-end') return whole;
    } else {
      this.pending = this.pending.length === 0 ? data : Buffer.concat([this.pending, data]);
    }
    return this.advance();
  }

  /** The connection closed: the response, if its body runs to the close; otherwise an error. */
  end(): ParsedResponse {
    if (this.state === 'until-close') {
      this.state = 'done';
      return this.result(false);
    }
    throw bad(this.state === 'head' ? 'the connection closed before a whole response head' : 'the connection closed before the whole response body');
  }

  /** Parses what `pending` holds in the line-framed states; a loop, not recursion, however many chunks one read holds. */
  private advance(): ParsedResponse | undefined {
    for (;;) {
      switch (this.state) {
        case 'head': {
          const at = this.pending.indexOf(HEAD_END);
          if (at < 0 ? this.pending.length > MAX_HEADER_BYTES : at > MAX_HEADER_BYTES) throw bad(`response head larger than ${MAX_HEADER_BYTES} bytes`);
          if (at < 0) return undefined;
          const head = this.pending.toString('latin1', 0, at);
          this.pending = this.pending.subarray(at + 4);
          this.readHead(head);
          const framing = this.at();
          if (framing === 'done') return this.finish();
          if (framing === 'length' || framing === 'until-close') return this.bodyBytes(this.takePending());
          break; // an interim answer (the next head), or chunks
        }
        case 'chunk-size': {
          const at = this.pending.indexOf(CRLF);
          if (at < 0 ? this.pending.length > MAX_CHUNK_LINE_BYTES : at > MAX_CHUNK_LINE_BYTES) throw bad('chunk-size line too long');
          if (at < 0) return undefined;
          // The size, then optional chunk extensions after a semicolon, which nothing here uses.
          const line = this.pending.toString('latin1', 0, at);
          const hex = line.split(';', 1)[0]!.trim();
          if (!CHUNK_SIZE.test(hex)) throw bad('malformed chunk size');
          this.pending = this.pending.subarray(at + 2);
          this.remaining = parseInt(hex, 16);
          if (this.remaining === 0) {
            this.state = 'trailers';
            break;
          }
          this.limit(this.size + this.remaining);
          this.state = 'chunk-data';
          this.bodyBytes(this.takePending());
          if (this.at() === 'chunk-data') return undefined;
          break;
        }
        case 'chunk-end': {
          if (this.pending.length < 2) return undefined;
          if (this.pending[0] !== 0x0d || this.pending[1] !== 0x0a) throw bad('chunk data not followed by CRLF');
          this.pending = this.pending.subarray(2);
          this.state = 'chunk-size';
          break;
        }
        case 'trailers': {
          const at = this.pending.indexOf(CRLF);
          if (at < 0 ? this.pending.length > MAX_HEADER_BYTES : at > MAX_HEADER_BYTES) throw bad(`trailers larger than ${MAX_HEADER_BYTES} bytes`);
          if (at < 0) return undefined;
          this.pending = this.pending.subarray(at + 2);
          if (at === 0) return this.finish();
          break;
        }
        default:
          return undefined;
      }
    }
  }

  private readHead(head: string): void {
    const lines = head.split('\r\n');
    const m = STATUS_LINE.exec(lines[0]!);
    if (!m) throw bad(`not an HTTP/1.x status line: ${JSON.stringify(lines[0]!.slice(0, 80))}`);
    this.status = Number(m[2]);
    this.headers = new ResponseHeaders();
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      const colon = line.indexOf(':');
      const name = colon > 0 ? line.slice(0, colon) : '';
      if (!FIELD_NAME.test(name)) throw bad(line.startsWith(' ') || line.startsWith('\t') ? 'obsolete line folding in a header' : `malformed header line ${JSON.stringify(line.slice(0, 80))}`);
      this.headers.add(name, line.slice(colon + 1).trim());
    }
    // An interim answer (100 Continue, 103 Early Hints): the real one follows on the same connection.
    if (this.status < 200) {
      if (this.status === 101) throw bad('the server switched protocols, which no request asked for');
      return;
    }
    const connection = (this.headers.get('connection') ?? '').toLowerCase().split(',').map((t) => t.trim());
    this.persistent = m[1] === '1' ? !connection.includes('close') : connection.includes('keep-alive');
    const te = this.headers.get('transfer-encoding');
    const cl = this.headers.get('content-length');
    if (this.opts.head || this.status === 204 || this.status === 304) {
      this.state = 'done';
    } else if (te !== null) {
      // A length beside a transfer coding is how responses get smuggled: the coding frames this
      // one, and the connection is not used again.
      if (cl !== null) this.persistent = false;
      if (te.toLowerCase().split(',').map((t) => t.trim()).at(-1) === 'chunked') {
        this.state = 'chunk-size';
      } else {
        this.persistent = false;
        this.state = 'until-close';
      }
    } else if (cl !== null) {
      const values = new Set(cl.split(',').map((v) => v.trim()));
      const [only] = values;
      if (values.size !== 1 || !/^\d{1,15}$/.test(only!)) throw bad(`invalid Content-Length ${JSON.stringify(cl.slice(0, 40))}`);
      this.remaining = Number(only);
      this.limit(this.remaining);
      this.state = this.remaining === 0 ? 'done' : 'length';
    } else {
      this.persistent = false;
      this.state = 'until-close';
    }
  }

  /** The state as it is now (a method, so the compiler does not narrow it across calls that change it). */
  private at(): State {
    return this.state;
  }

  private takePending(): Buffer {
    const rest = this.pending;
    this.pending = EMPTY;
    return rest;
  }

  /** Bytes of the body: a Content-Length body, a chunk's data, or a body that runs to the close. */
  private bodyBytes(data: Buffer): ParsedResponse | undefined {
    if (this.state === 'until-close' || data.length < this.remaining) {
      this.take(data);
      this.remaining -= this.state === 'until-close' ? 0 : data.length;
      return undefined;
    }
    this.take(data.subarray(0, this.remaining));
    this.pending = data.subarray(this.remaining);
    this.remaining = 0;
    if (this.state === 'length') return this.finish();
    this.state = 'chunk-end';
    return undefined;
  }

  private take(data: Buffer): void {
    if (data.length === 0) return;
    this.limit(this.size + data.length);
    this.size += data.length;
    this.chunks.push(data);
  }

  private limit(total: number): void {
    if (total > this.opts.maxBodyBytes) throw new HttpProtocolError('HTTP_BODY_TOO_LARGE', `response body larger than ${this.opts.maxBodyBytes} bytes`);
  }

  private finish(): ParsedResponse {
    this.state = 'done';
    return this.result(this.persistent && this.pending.length === 0);
  }

  private result(reusable: boolean): ParsedResponse {
    return { status: this.status, headers: this.headers, body: this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.size), reusable };
  }
}

function bad(message: string): HttpProtocolError {
  return new HttpProtocolError('HTTP_BAD_RESPONSE', message);
}
