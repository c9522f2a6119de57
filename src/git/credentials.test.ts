import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  credentialsFromData,
  credentialsFromSecretData,
  credentialsFromSecretDir,
  prepareAuthEnv,
} from './credentials.js';
import type { GitError } from './errors.js';
import { redactText, redactUrl, splitUrlUserinfo } from './redact.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('credentials from a Secret', () => {
  it('reads basic auth (password or token) and SSH keys with known_hosts', () => {
    expect(credentialsFromSecretData({ username: b64('bot'), password: b64('pw') }, 'https://h/r')).toEqual({
      kind: 'basic',
      username: 'bot',
      password: 'pw',
    });
    expect(credentialsFromData({ token: 'tok' }, 'https://h/r')).toEqual({
      kind: 'basic',
      username: 'git',
      password: 'tok',
    });
    expect(credentialsFromData({ identity: 'KEY', known_hosts: 'h ssh-ed25519 AAA' }, 'git@h:r.git')).toEqual(
      {
        kind: 'ssh',
        privateKey: 'KEY',
        knownHosts: 'h ssh-ed25519 AAA',
      },
    );
    // Both kinds present: the URL decides.
    const both = { password: 'pw', 'ssh-privatekey': 'KEY', known_hosts: 'kh' };
    expect(credentialsFromData(both, 'ssh://git@h/r').kind).toBe('ssh');
    expect(credentialsFromData(both, 'https://h/r').kind).toBe('basic');
  });

  it('rejects unusable data with the keys it saw, never the values', () => {
    const e = (() => {
      try {
        credentialsFromData({ identity: 'PRIVATE-KEY-BODY' }, 'ssh://h/r');
      } catch (err) {
        return err as GitError;
      }
    })();
    expect(e?.reason).toBe('GitCredentialsInvalid');
    expect(e?.message).toMatch(/no known_hosts entry \(keys: identity\)/);
    expect(e?.message).not.toContain('PRIVATE-KEY-BODY');
    expect(() => credentialsFromData({ foo: 'bar' }, 'https://h/r')).toThrow(
      /neither password\/token nor identity/,
    );
  });

  it('reads a Secret mounted as files, skipping the kubelet ..data entries', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'secret-'));
    writeFileSync(join(dir, 'username'), 'bot');
    writeFileSync(join(dir, 'password'), 'pw');
    writeFileSync(join(dir, '..data'), 'ignored');
    expect(await credentialsFromSecretDir(dir, 'https://h/r')).toEqual({
      kind: 'basic',
      username: 'bot',
      password: 'pw',
    });
    rmSync(dir, { recursive: true });
  });
});

describe('prepareAuthEnv', () => {
  it('hands basic auth to git through an askpass script reading 0600 files, removed by cleanup', async () => {
    const password = 'pa$$ \'word" `x`';
    const auth = await prepareAuthEnv({ kind: 'basic', username: 'bot', password });
    expect(JSON.stringify(auth.env)).not.toContain(password);
    const script = auth.env.GIT_ASKPASS!;
    expect(statSync(join(script, '..')).mode & 0o777).toBe(0o700);
    expect(statSync(join(script, '..', 'password')).mode & 0o777).toBe(0o600);
    expect(readFileSync(script, 'utf8')).not.toContain(password);
    expect(execFileSync(script, ["Username for 'https://h': "], { encoding: 'utf8' })).toBe('bot');
    expect(execFileSync(script, ["Password for 'https://bot@h': "], { encoding: 'utf8' })).toBe(password);
    await auth.cleanup();
    expect(existsSync(script)).toBe(false);
  });

  it('gives ssh the key and known_hosts as files and always checks the host key', async () => {
    const auth = await prepareAuthEnv({
      kind: 'ssh',
      privateKey: 'KEYDATA',
      knownHosts: 'h ssh-ed25519 AAAA',
    });
    const cmd = auth.env.GIT_SSH_COMMAND!;
    expect(cmd).toMatch(/StrictHostKeyChecking=yes/);
    expect(cmd).not.toContain('KEYDATA');
    const keyPath = /-i '([^']+)'/.exec(cmd)![1]!;
    expect(readFileSync(keyPath, 'utf8')).toBe('KEYDATA\n');
    expect(statSync(keyPath).mode & 0o777).toBe(0o600);
    await auth.cleanup();
    expect(existsSync(keyPath)).toBe(false);
  });

  it('without credentials makes git fail instead of prompting', async () => {
    const auth = await prepareAuthEnv(undefined);
    expect(auth.env).toMatchObject({ GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: 'true' });
  });
});

describe('redaction', () => {
  it('masks URL userinfo and secret values in any text', () => {
    expect(redactUrl("fatal: unable to access 'https://bot:tok@h/r.git/': 403")).toBe(
      "fatal: unable to access 'https://***@h/r.git/': 403",
    );
    expect(
      redactText('Authorization: Basic Ym90OnNlY3JldC12YWw= and secret-val and secret%2Fv', [
        'secret-val',
        'bot:secret-val',
        'secret/v',
      ]),
    ).toBe('Authorization: Basic *** and *** and ***');
  });
  it('splits userinfo out of a URL', () => {
    expect(splitUrlUserinfo('https://bot:p%40ss@h/r.git')).toEqual({
      url: 'https://h/r.git',
      username: 'bot',
      password: 'p@ss',
    });
    expect(splitUrlUserinfo('https://h/r.git')).toEqual({ url: 'https://h/r.git' });
  });
});
