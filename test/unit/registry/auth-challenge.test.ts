import { describe, expect, it } from 'vitest';
import { parseAuthChallenges } from '../../../src/registry/auth-challenge.js';

describe('parseAuthChallenges', () => {
  it('parses a Bearer challenge whose quoted scope contains commas and colons', () => {
    expect(
      parseAuthChallenges(
        'Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:a/b:pull,push"',
      ),
    ).toEqual([
      {
        scheme: 'bearer',
        params: {
          realm: 'https://auth.example.com/token',
          service: 'registry.example.com',
          scope: 'repository:a/b:pull,push',
        },
      },
    ]);
  });

  it('parses Basic with a realm, tolerating spaces and case', () => {
    expect(parseAuthChallenges('basic  Realm = "Registry Realm"')).toEqual([
      { scheme: 'basic', params: { realm: 'Registry Realm' } },
    ]);
  });

  it('splits several challenges in one header', () => {
    const got = parseAuthChallenges('Basic realm="a, b", Bearer realm="https://t/x",service=s, Negotiate');
    expect(got.map((c) => c.scheme)).toEqual(['basic', 'bearer', 'negotiate']);
    expect(got[0]?.params.realm).toBe('a, b');
    expect(got[1]?.params).toEqual({ realm: 'https://t/x', service: 's' });
  });

  it('unescapes quoted-pairs and reads token68 values', () => {
    expect(parseAuthChallenges('Bearer realm="a\\"b\\\\c"')[0]?.params.realm).toBe('a"b\\c');
    expect(parseAuthChallenges('Negotiate YWJj==, Basic realm=x')).toEqual([
      { scheme: 'negotiate', params: {}, token68: 'YWJj==' },
      { scheme: 'basic', params: { realm: 'x' } },
    ]);
  });

  it('returns nothing for an empty header and survives garbage', () => {
    expect(parseAuthChallenges('')).toEqual([]);
    expect(() => parseAuthChallenges('=,="" @@ Bearer realm="x')).not.toThrow();
    expect(parseAuthChallenges('=,="" @@ Bearer realm="x').at(-1)).toEqual({
      scheme: 'bearer',
      params: { realm: 'x' },
    });
  });
});
