import { describe, expect, it } from 'vitest';
import { parseKanikoArgs, splitReference } from '../../cluster/kubelet/kaniko-flags.js';

describe('parseKanikoArgs', () => {
  it('reads the flags the operator passes, in both --flag=value and --flag value forms', () => {
    const build = parseKanikoArgs([
      '--context=dir:///workspace',
      '--dockerfile',
      '/workspace/Dockerfile',
      '--destination=r:5000/a:1',
      '-d',
      'r:5000/a:latest',
      '--digest-file=/dev/termination-log',
      '--build-arg=A=1',
      '--label',
      'k=v',
      '--insecure',
      '--skip-tls-verify=false',
      '--insecure-registry=r:5000',
      '--cache=true',
      '--cache-repo=r:5000/cache',
      '--snapshot-mode=redo',
    ]);
    expect(build).toEqual({
      contextDir: '/workspace',
      dockerfile: '/workspace/Dockerfile',
      destinations: ['r:5000/a:1', 'r:5000/a:latest'],
      digestFile: '/dev/termination-log',
      buildArgs: ['A=1'],
      labels: ['k=v'],
      insecure: true,
      insecurePull: false,
      insecureRegistries: ['r:5000'],
      noPush: false,
    });
  });

  it('reads --image-name-with-digest-file and --target', () => {
    const build = parseKanikoArgs([
      '--context=/w',
      '--destination=r/a:1',
      '--image-name-with-digest-file=/w/names',
      '--target=final',
    ]);
    expect(build).toMatchObject({ contextDir: '/w', imageNameWithDigestFile: '/w/names', target: 'final' });
  });

  it('refuses flags it cannot reproduce, naming them', () => {
    expect(() =>
      parseKanikoArgs(['--context=dir:///w', '--destination=r/a', '--oci-layout-path=/x']),
    ).toThrow('unsupported flag --oci-layout-path');
    expect(() => parseKanikoArgs(['--context=git://example/repo', '--destination=r/a'])).toThrow(
      'only dir://',
    );
    expect(() => parseKanikoArgs(['--context=dir:///w'])).toThrow('--destination');
    expect(() => parseKanikoArgs(['--context=dir:///w', '--destination'])).toThrow('needs a value');
    expect(() => parseKanikoArgs(['--context=dir:///w', '--no-push=maybe'])).toThrow('true or false');
  });
});

describe('splitReference', () => {
  it('splits host, repository and tag or digest', () => {
    expect(splitReference('127.0.0.1:5000/ns/app:v1')).toEqual({
      host: '127.0.0.1:5000',
      repository: 'ns/app',
      tag: 'v1',
    });
    expect(splitReference('127.0.0.1:5000/ns/app')).toMatchObject({ repository: 'ns/app', tag: 'latest' });
    expect(splitReference('h:1/app@sha256:abc')).toMatchObject({ repository: 'app', tag: 'sha256:abc' });
  });
});
