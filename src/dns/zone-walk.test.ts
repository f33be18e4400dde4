import { describe, expect, it } from 'vitest';
import { ZoneWalk, zoneTtl } from './zone-walk.js';

const signal = () => AbortSignal.timeout(5_000);

describe('ZoneWalk', () => {
  it('asks for the name, then each parent, and keeps the answer', async () => {
    const asked: string[] = [];
    const walk = new ZoneWalk('Example provider p', (c) => { asked.push(c); return Promise.resolve(c === 'example.com' ? { name: c } : undefined); });
    expect(await walk.find('A.Sub.Example.com.', signal())).toEqual({ name: 'example.com' });
    expect(await walk.find('a.sub.example.com', signal())).toEqual({ name: 'example.com' });
    expect(asked).toEqual(['a.sub.example.com', 'sub.example.com', 'example.com']);
  });

  it('no zone at any parent is DNS_ZONE_NOT_FOUND (the TLD is never asked); a failure is asked again next time', async () => {
    const asked: string[] = [];
    let fail = true;
    const walk = new ZoneWalk('Example provider p', (c) => {
      asked.push(c);
      if (fail) return Promise.reject(new Error('API down'));
      return Promise.resolve(undefined);
    });
    await expect(walk.find('example.com', signal())).rejects.toThrow('API down');
    fail = false;
    await expect(walk.find('example.com', signal())).rejects.toMatchObject({ code: 'DNS_ZONE_NOT_FOUND', message: 'Example provider p: no zone for example.com in this account (or the credentials cannot see it)' });
    expect(asked).toEqual(['example.com', 'example.com']);
  });

  it('raises a TTL to the zone minimum only', () => {
    expect(zoneTtl({ name: 'z', minTtl: 600 }, 60)).toBe(600);
    expect(zoneTtl({ name: 'z', minTtl: 600 }, 3600)).toBe(3600);
    expect(zoneTtl({ name: 'z' }, 60)).toBe(60);
  });
});
