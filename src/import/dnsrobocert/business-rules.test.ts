import { describe, expect, it } from 'vitest';
import { lineageOf, posixMode } from './business-rules.js';

describe('posixMode', () => {
  it('reads integers and octal strings as Python int(text, 8) does', () => {
    expect([0o640, '0640', '640', '0o640', ' 0640 ', '0_640', 0].map(posixMode)).toEqual([0o640, 0o640, 0o640, 0o640, 0o640, 0o640, 0]);
  });
  it('refuses what is not a mode from 0 to 0777', () => {
    expect([0o1000, 9999, -1, 1.5, '0980', 'rw-r-----', '0__640', '640_', ''].map(posixMode)).toEqual(Array(9).fill(undefined));
  });
});

describe('lineageOf', () => {
  it('the name, else the first domain without its wildcard label', () => {
    expect(lineageOf({ profile: 'p', domains: ['*.example.net', 'example.net'] })).toBe('example.net');
    expect(lineageOf({ profile: 'p', domains: ['example.net'], name: 'web' })).toBe('web');
    expect(lineageOf({ profile: 'p', domains: [] })).toBeUndefined();
  });
});
