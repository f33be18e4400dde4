import { describe, expect, it } from 'vitest';
import { Http1ResponseParser, type ParsedResponse } from './http1-response-parser.js';

const opts = { head: false, maxBodyBytes: 1024 };

/** Feeds `text` in pieces of `step` bytes; the response, once whole. */
function feed(text: string | Buffer, step = Infinity, o = opts): { parser: Http1ResponseParser; res: ParsedResponse | undefined } {
  const parser = new Http1ResponseParser(o);
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text, 'latin1');
  let res: ParsedResponse | undefined;
  for (let i = 0; i < bytes.length; i += Math.min(step, bytes.length)) {
    const got = parser.push(bytes.subarray(i, i + step));
    if (got) {
      expect(res).toBeUndefined();
      res = got;
    }
  }
  return { parser, res };
}

describe('Http1ResponseParser', () => {
  it('reads a Content-Length response whole, in one read or a byte at a time', () => {
    const text = 'HTTP/1.1 201 Created\r\nReplay-Nonce: n1\r\nLink: <a>;rel="up"\r\nlink: <b>;rel="alternate"\r\nContent-Length: 5\r\n\r\nhello';
    for (const step of [Infinity, 1, 7]) {
      const { res } = feed(text, step);
      expect(res?.status).toBe(201);
      expect(res?.body.toString()).toBe('hello');
      expect(res?.headers.get('replay-nonce')).toBe('n1');
      expect(res?.headers.get('LINK')).toBe('<a>;rel="up", <b>;rel="alternate"');
      expect(res?.headers.get('missing')).toBeNull();
      expect(res?.reusable).toBe(true);
    }
  });

  it('reads chunked bodies with extensions and trailers, however the reads split them', () => {
    const text = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n1\r\n \r\nA\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n';
    for (const step of [Infinity, 1, 3, 11]) {
      const { res } = feed(text, step);
      expect(res?.body.toString()).toBe('hello 0123456789');
      expect(res?.reusable).toBe(true);
    }
    // Many tiny chunks in one read: parsed in a loop, not one stack frame per chunk.
    const many = 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n' + '1\r\nx\r\n'.repeat(20_000) + '0\r\n\r\n';
    expect(feed(many, Infinity, { head: false, maxBodyBytes: 1e6 }).res?.body.length).toBe(20_000);
  });

  it('a body without framing runs to the close, and the connection is not used again', () => {
    const { parser, res } = feed('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\nall of it');
    expect(res).toBeUndefined();
    const end = parser.end();
    expect(end.body.toString()).toBe('all of it');
    expect(end.reusable).toBe(false);
  });

  it('knows which answers have no body, and which connections persist', () => {
    expect(feed('HTTP/1.1 204 No Content\r\nreplay-nonce: x\r\n\r\n').res).toMatchObject({ status: 204, reusable: true });
    expect(feed('HTTP/1.1 304 Not Modified\r\n\r\n').res?.body.length).toBe(0);
    expect(feed('HTTP/1.1 200 OK\r\ncontent-length: 99\r\n\r\n', Infinity, { head: true, maxBodyBytes: 10 }).res?.status).toBe(200);
    expect(feed('HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n').res?.reusable).toBe(false);
    expect(feed('HTTP/1.0 200 OK\r\ncontent-length: 0\r\n\r\n').res?.reusable).toBe(false);
    expect(feed('HTTP/1.0 200 OK\r\ncontent-length: 0\r\nConnection: Keep-Alive\r\n\r\n').res?.reusable).toBe(true);
    // A status line without a reason phrase is allowed.
    expect(feed('HTTP/1.1 200\r\ncontent-length: 0\r\n\r\n').res?.status).toBe(200);
  });

  it('skips interim answers and reads the final one', () => {
    const { res } = feed('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nlink: </x>\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
    expect(res?.status).toBe(200);
    expect(res?.headers.get('link')).toBeNull();
    expect(res?.body.toString()).toBe('ok');
  });

  it('does not reuse a connection that has bytes after the response, or a length beside a transfer coding', () => {
    expect(feed('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n').res?.reusable).toBe(false);
    expect(feed('HTTP/1.1 200 OK\r\ncontent-length: 3\r\ntransfer-encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n').res).toMatchObject({ reusable: false });
    const { parser } = feed('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
    expect(() => parser.push(Buffer.from('more'))).toThrow(/bytes after the end of the response/);
  });

  it('refuses what is not HTTP/1.1, and what would smuggle or grow memory', () => {
    const cases: [string, RegExp][] = [
      ['SSH-2.0-OpenSSH\r\n\r\n', /not an HTTP\/1.x status line/],
      ['HTTP/2 200\r\n\r\n', /not an HTTP\/1.x status line/],
      ['HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-length: 3\r\n\r\nok', /invalid Content-Length/],
      ['HTTP/1.1 200 OK\r\ncontent-length: -1\r\n\r\n', /invalid Content-Length/],
      ['HTTP/1.1 200 OK\r\nx-a: 1\r\n folded\r\n\r\n', /obsolete line folding/],
      ['HTTP/1.1 200 OK\r\nno colon here\r\n\r\n', /malformed header line/],
      ['HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n', /malformed chunk size/],
      ['HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\nokXX', /not followed by CRLF/],
      ['HTTP/1.1 101 Switching Protocols\r\n\r\n', /switched protocols/],
      ['HTTP/1.1 200 OK\r\ncontent-length: 2048\r\n\r\n', /larger than 1024 bytes/],
      ['HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n401\r\n', /larger than 1024 bytes/],
      ['HTTP/1.1 200 OK\r\n\r\n' + 'x'.repeat(1025), /larger than 1024 bytes/],
      ['HTTP/1.1 200 OK\r\nx-big: ' + 'x'.repeat(17_000), /response head larger than 16384 bytes/],
    ];
    for (const [text, error] of cases) expect(() => feed(text), text.slice(0, 40)).toThrow(error);
    expect(() => feed('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n', Infinity).parser.push(Buffer.from('1'.repeat(2000)))).toThrow(/chunk-size line too long/);
  });

  it('a close before the whole response is an error, and says which part was missing', () => {
    expect(() => feed('HTTP/1.1 200 OK\r\ncontent-le').parser.end()).toThrow(/before a whole response head/);
    expect(() => feed('HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nshort').parser.end()).toThrow(/before the whole response body/);
    expect(() => feed('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhel').parser.end()).toThrow(/before the whole response body/);
    const fresh = new Http1ResponseParser(opts);
    expect(fresh.started).toBe(false);
    fresh.push(Buffer.from('H'));
    expect(fresh.started).toBe(true);
  });
});
