import { describe, expect, it } from 'vitest';
import { loadCassettes } from './cassette.js';
import { bodyKeys, shapeContradictions } from './recorded-shapes.js';

const recorded = loadCassettes('cloudflare');

describe('shapeContradictions', () => {
  it('finds nothing wrong with the recorded requests themselves', () => {
    const seen = recorded.map((r) => ({ method: r.method, url: `${r.url.pathname}${r.url.search}`, body: r.requestBody }));
    expect(shapeContradictions(recorded, seen)).toEqual([]);
  });

  it('accepts other ids and names in variable segments', () => {
    expect(shapeContradictions(recorded, [{ method: 'DELETE', url: '/client/v4/zones/0123456789abcdef0123456789abcdef/dns_records/fedcba9876543210fedcba9876543210', body: '' }])).toEqual([]);
  });

  it('reports an unrecorded path, method, query key and body field', () => {
    const problems = shapeContradictions(recorded, [
      { method: 'GET', url: '/client/v4/zonez', body: '' },
      { method: 'PATCH', url: '/client/v4/zones', body: '' },
      { method: 'GET', url: '/client/v4/zones?colour=red', body: '' },
      { method: 'POST', url: '/client/v4/zones/0123456789abcdef0123456789abcdef/dns_records', body: '{"type":"TXT","name":"x","content":"y","flavour":1}' },
    ]);
    expect(problems).toEqual([
      'GET client/v4/zonez: no recorded request has this method and path',
      'PATCH client/v4/zones: no recorded request has this method and path',
      expect.stringMatching(/^GET client\/v4\/zones: query key colour was never recorded/),
      expect.stringMatching(/^POST client\/v4\/zones\/\*\/dns_records: body field flavour was never recorded/),
    ]);
  });
});

describe('bodyKeys', () => {
  it('reads JSON paths, form keys and XML element names', () => {
    expect(bodyKeys('{"a":{"b":1},"c":[{"d":2}]}', undefined)).toEqual(['a', 'a.b', 'c', 'c[].d']);
    expect(bodyKeys('x=1&y=2', 'application/x-www-form-urlencoded')).toEqual(['x', 'y']);
    expect(bodyKeys('<?xml version="1.0"?><A><B>1</B></A>', 'text/xml')).toEqual(['A', 'B']);
    expect(bodyKeys('', undefined)).toBeUndefined();
  });
});
