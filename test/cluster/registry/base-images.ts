import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildah } from './buildah.js';

export const BUSYBOX_IMAGE_PATH = 'base/busybox:latest';

/**
 * Builds a tiny base image from Debian's busybox-static (the static binary,
 * one symlink per applet, /etc/passwd and /etc/group with root, nobody and an
 * `app` user 1000) and pushes it to `<registry>/base/busybox:latest`.
 */
export async function pushBusyboxImage(env: Record<string, string>, registry: string): Promise<string> {
  const ref = `${registry}/${BUSYBOX_IMAGE_PATH}`;
  const container = await buildah(env, ['from', '--name', `busybox-base-${process.pid}`, 'scratch']);
  try {
    const root = await buildah(env, ['mount', container]);
    for (const dir of ['bin', 'etc', 'root', 'home/app', 'tmp', 'var/tmp', 'dev', 'proc']) {
      mkdirSync(join(root, dir), { recursive: true });
    }
    chmodSync(join(root, 'tmp'), 0o1777);
    copyFileSync('/bin/busybox', join(root, 'bin/busybox'));
    chmodSync(join(root, 'bin/busybox'), 0o755);
    const applets = execFileSync('/bin/busybox', ['--list'], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean);
    for (const applet of applets) {
      if (applet !== 'busybox') symlinkSync('busybox', join(root, 'bin', applet));
    }
    writeFileSync(
      join(root, 'etc/passwd'),
      'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n',
    );
    writeFileSync(join(root, 'etc/group'), 'root:x:0:\napp:x:1000:\nnogroup:x:65534:\n');
    execFileSync('chown', ['1000:1000', join(root, 'home/app')]);
    await buildah(env, ['config', '--env', 'PATH=/bin', '--cmd', '/bin/sh', '--workingdir', '/', container]);
    await buildah(env, ['commit', '--format', 'docker', container, ref]);
    await buildah(env, ['push', '--tls-verify=false', ref, `docker://${ref}`]);
    return ref;
  } finally {
    await buildah(env, ['rm', container]).catch(() => {});
  }
}

/** Whether a plain-HTTP loopback registry serves a manifest for `host:port/repo:tag`. */
export async function imageExists(reference: string): Promise<boolean> {
  const slash = reference.indexOf('/');
  const colon = reference.lastIndexOf(':');
  const url = `http://${reference.slice(0, slash)}/v2/${reference.slice(slash + 1, colon)}/manifests/${reference.slice(colon + 1)}`;
  const res = await fetch(url, {
    method: 'HEAD',
    headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json' },
  });
  return res.ok;
}
