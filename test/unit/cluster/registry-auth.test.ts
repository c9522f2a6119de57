import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { authHeaders } from '../../cluster/kubelet/registry-copy.js';

describe('authHeaders (the Kaniko stand-in reads $DOCKER_CONFIG/config.json)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'docker-config-'));
  afterEach(() => vi.unstubAllEnvs());

  it('sends Basic credentials for the registry named in config.json, nothing for others', () => {
    writeFileSync(
      join(dir, 'config.json'),
      JSON.stringify({ auths: { '127.0.0.1:5000': { auth: Buffer.from('u:p').toString('base64') } } }),
    );
    vi.stubEnv('DOCKER_CONFIG', dir);
    expect(authHeaders('127.0.0.1:5000')).toEqual({
      authorization: `Basic ${Buffer.from('u:p').toString('base64')}`,
    });
    expect(authHeaders('127.0.0.1:6000')).toEqual({});
    vi.stubEnv('DOCKER_CONFIG', join(dir, 'missing'));
    expect(authHeaders('127.0.0.1:5000')).toEqual({});
    rmSync(dir, { recursive: true, force: true });
  });
});
