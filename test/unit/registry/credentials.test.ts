import { describe, expect, it } from 'vitest';
import { CredentialStore } from '../../../src/registry/credentials.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('CredentialStore', () => {
  const store = CredentialStore.fromJson(
    JSON.stringify({
      auths: {
        'https://index.docker.io/v1/': { auth: b64('hub:hubpw') },
        'registry.example.com': { username: 'u', password: 'p:with:colons' },
        'registry.example.com/team-b': { auth: b64('teamb:pw') },
        '*.corp.example': { auth: b64('wild:pw') },
        'localhost:5000': { identitytoken: 'refresh-me' },
      },
    }),
    'secret ns/regcred',
  );

  it('matches Docker Hub by its legacy key', () => {
    expect(store.lookup('docker.io', 'library/alpine')).toEqual([
      { kind: 'basic', username: 'hub', password: 'hubpw' },
    ]);
  });

  it('prefers the longest path prefix for the same host', () => {
    expect(store.lookup('registry.example.com', 'team-b/app')[0]).toEqual({
      kind: 'basic',
      username: 'teamb',
      password: 'pw',
    });
    expect(store.lookup('registry.example.com', 'team-a/app')).toEqual([
      { kind: 'basic', username: 'u', password: 'p:with:colons' },
    ]);
  });

  it('matches a wildcard label and requires the port to match', () => {
    expect(store.lookup('reg.corp.example', 'x')).toHaveLength(1);
    expect(store.lookup('a.reg.corp.example', 'x')).toHaveLength(0);
    expect(store.lookup('localhost:5000', 'x')).toEqual([{ kind: 'identityToken', token: 'refresh-me' }]);
    expect(store.lookup('localhost:5001', 'x')).toEqual([]);
  });

  it('reports malformed input by source without echoing the content', () => {
    const secret = 'hunter2-secret';
    expect(() => CredentialStore.fromJson(`{"auths": ${secret}`, 'secret ns/regcred')).toThrow(
      'registry credentials in secret ns/regcred: not valid JSON',
    );
    try {
      CredentialStore.fromJson(JSON.stringify({ auths: { h: { auth: b64(secret) } } }), 'file x');
      expect.unreachable();
    } catch (e) {
      expect(String(e)).toContain('entry "h"');
      expect(String(e)).not.toContain(secret);
      expect(String(e)).not.toContain(b64(secret));
    }
  });
});
