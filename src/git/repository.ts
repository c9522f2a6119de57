import { createHash, randomBytes } from 'node:crypto';
import { access, mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { streamBlobs } from './cat-file.js';
import { type GitCredentials, isSshUrl, prepareAuthEnv, secretValues } from './credentials.js';
import { GitError } from './errors.js';
import { runGit } from './exec.js';
import { redactUrl, splitUrlUserinfo } from './redact.js';
import {
  parseLsRemote,
  pickRevision,
  type RemoteRef,
  type ResolvedRevision,
  type RevisionRequest,
} from './revision.js';
import { parseLsTree, type TreeEntry } from './tree.js';

// Remote access: resolve a revision, fetch one commit shallowly into a cache
// of bare repositories keyed by URL + commit, and read the commit's tree and
// blobs. Each remote operation runs with the caller's credentials; reusing a
// cached commit still needs a successful `resolve` (ls-remote) first, which is
// where the remote checks that this caller may read the repository.

export interface GitRemote {
  /** https://, http://, ssh://, git://, scp-like `user@host:path`, or file:// (only when allowed). */
  url: string;
  credentials?: GitCredentials;
}

export interface GitRepositoryCacheOptions {
  /** Folder for the bare repositories (created when missing). */
  dir: string;
  /** file:// reads the operator's own filesystem: only for tests and local runs. */
  allowFileUrls?: boolean;
}

/** The URL git gets, and the credentials it gets next to it: userinfo in an https URL becomes basic auth. */
export function normalizeRemote(
  remote: GitRemote,
  allowFileUrls: boolean,
): { url: string; credentials?: GitCredentials } {
  const url = remote.url.trim();
  const shown = redactUrl(url);
  if (/^file:\/\//i.test(url)) {
    if (!allowFileUrls)
      throw new GitError('GitFetchFailed', `file:// repositories are not allowed: ${shown}`);
    return { url, credentials: remote.credentials };
  }
  if (isSshUrl(url) || /^git:\/\//i.test(url)) return { url, credentials: remote.credentials };
  if (!/^https?:\/\/[^/]/i.test(url)) {
    throw new GitError(
      'GitFetchFailed',
      `unsupported repository URL ${shown}: use https://, ssh:// or git@host:path`,
    );
  }
  const split = splitUrlUserinfo(url);
  if (split.password === undefined || remote.credentials)
    return { url: split.url, credentials: remote.credentials };
  return {
    url: split.url,
    credentials: { kind: 'basic', username: split.username || 'git', password: split.password },
  };
}

/** Runs git with credentials that exist only for this one call. */
async function withAuth<T>(
  creds: GitCredentials | undefined,
  fn: (env: Record<string, string>) => Promise<T>,
): Promise<T> {
  const auth = await prepareAuthEnv(creds);
  try {
    return await fn(auth.env);
  } finally {
    await auth.cleanup();
  }
}

const PIN_REF = 'refs/stapel/commit';
const SNAPSHOTS_KEPT = 32;

/** A remote's refs, with the URL (without userinfo) they were listed from. */
export interface RemoteRefs {
  url: string;
  refs: RemoteRef[];
}

/** pickRevision, with the repository named in the error. */
export function pickRevisionAt(at: RemoteRefs, request: RevisionRequest): ResolvedRevision {
  try {
    return pickRevision(at.refs, request);
  } catch (e) {
    if (e instanceof GitError) throw new GitError(e.reason, `${e.message}: ${redactUrl(at.url)}`);
    throw e;
  }
}

export class GitRepositoryCache {
  private readonly inFlight = new Map<string, Promise<GitSnapshot>>();
  private readonly snapshots = new Map<string, GitSnapshot>();

  constructor(private readonly options: GitRepositoryCacheOptions) {}

  /**
   * The remote's refs right now (`git ls-remote`). Contacts the remote every
   * time with these credentials, so it is also the access check.
   */
  async listRefs(remote: GitRemote): Promise<RemoteRefs> {
    const { url, credentials } = normalizeRemote(remote, this.options.allowFileUrls ?? false);
    const action = `listing the refs of ${redactUrl(url)}`;
    const { stdout } = await withAuth(credentials, (env) =>
      runGit(['ls-remote', '--quiet', url], { env, secrets: secretValues(credentials), action }),
    );
    return { url, refs: parseLsRemote(stdout.toString('utf8')) };
  }

  /** The commit a revision names right now (one ls-remote). */
  async resolve(remote: GitRemote, request: RevisionRequest): Promise<ResolvedRevision> {
    return pickRevisionAt(await this.listRefs(remote), request);
  }

  /** The commit's objects in a local bare repository, fetched once per URL + commit. */
  async fetch(remote: GitRemote, commit: string): Promise<GitSnapshot> {
    const { url, credentials } = normalizeRemote(remote, this.options.allowFileUrls ?? false);
    if (!/^([0-9a-f]{40}|[0-9a-f]{64})$/.test(commit)) {
      throw new GitError('GitRevisionNotFound', `not a full commit id: ${JSON.stringify(commit)}`);
    }
    const key = `${createHash('sha256').update(url).digest('hex').slice(0, 20)}-${commit}`;
    const known = this.snapshots.get(key);
    if (known) return known;
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const p = this.fetchInto(join(this.options.dir, `${key}.git`), url, credentials, commit)
      .then((snapshot) => {
        // Keep recent snapshots so their tree listing is read once, not per reconcile.
        this.snapshots.set(key, snapshot);
        if (this.snapshots.size > SNAPSHOTS_KEPT) this.snapshots.delete(this.snapshots.keys().next().value!);
        return snapshot;
      })
      .finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, p);
    return p;
  }

  private async fetchInto(
    gitDir: string,
    url: string,
    credentials: GitCredentials | undefined,
    commit: string,
  ): Promise<GitSnapshot> {
    if (await hasCommit(gitDir, commit)) return new GitSnapshot(gitDir, commit);
    await mkdir(this.options.dir, { recursive: true });
    // Fetch into a private folder and rename it into place, so a concurrent
    // or interrupted fetch never leaves a half-filled repository in the cache.
    const tmp = join(this.options.dir, `.tmp-${randomBytes(8).toString('hex')}.git`);
    const action = `fetching commit ${commit} of ${redactUrl(url)}`;
    const secrets = secretValues(credentials);
    try {
      await runGit(['init', '--bare', '--quiet', tmp], { action, secrets });
      await withAuth(credentials, async (env) => {
        try {
          await runGit(['fetch', '--quiet', '--no-tags', '--depth=1', url, commit], {
            cwd: tmp,
            env,
            secrets,
            action,
          });
        } catch (e) {
          // Servers that refuse a want for an unadvertised commit: fetch all
          // branches and tags, then look for the commit among them.
          if (!(e instanceof GitError) || e.reason !== 'GitRevisionNotFound') throw e;
          await runGit(['fetch', '--quiet', url, '+refs/heads/*:refs/heads/*', '+refs/tags/*:refs/tags/*'], {
            cwd: tmp,
            env,
            secrets,
            action,
          });
        }
      });
      if (!(await hasCommit(tmp, commit))) {
        throw new GitError('GitRevisionNotFound', `commit ${commit} does not exist in ${redactUrl(url)}`);
      }
      await runGit(['update-ref', PIN_REF, commit], { cwd: tmp, action });
      try {
        await rename(tmp, gitDir);
      } catch (e) {
        // Another process won the race; its copy is as good as ours.
        if (!(await hasCommit(gitDir, commit))) throw e;
      }
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
    return new GitSnapshot(gitDir, commit);
  }
}

async function hasCommit(gitDir: string, commit: string): Promise<boolean> {
  try {
    await access(gitDir);
    await runGit(['cat-file', '-e', `${commit}^{commit}`], { cwd: gitDir, action: 'checking the cache' });
    return true;
  } catch {
    return false;
  }
}

/** One commit in a local bare repository: its tree and file contents. */
export class GitSnapshot {
  private tree: Promise<TreeEntry[]> | undefined;

  constructor(
    readonly gitDir: string,
    readonly commit: string,
  ) {}

  /** Every file, symlink and submodule of the commit (`ls-tree -r`), read once. */
  listTree(): Promise<TreeEntry[]> {
    this.tree ??= runGit(['ls-tree', '-r', '-z', '--full-tree', this.commit], {
      cwd: this.gitDir,
      action: `listing commit ${this.commit}`,
    }).then((r) => parseLsTree(r.stdout.toString('utf8')));
    return this.tree;
  }

  /** A file's bytes at the commit (path from the repository root), or undefined when it is not a file there. */
  async readFile(path: string): Promise<Buffer | undefined> {
    const clean = path.replace(/^\/+/, '');
    const entry = (await this.listTree()).find((e) => e.path === clean && e.type === 'blob');
    return entry ? this.readBlob(entry.oid) : undefined;
  }

  /**
   * Every regular file under `subPath` (default: the whole tree) as UTF-8
   * text keyed by its path relative to `subPath`: the file set werf.yaml
   * templates read through `.Files`. Symlinks and submodules are left out;
   * more than `maxTotalBytes` is an error rather than a slow surprise.
   */
  async readFiles(subPath = '', maxTotalBytes = 64 * 1024 * 1024): Promise<Map<string, string>> {
    const prefix = subPath
      .split('/')
      .filter((s) => s !== '' && s !== '.')
      .join('/');
    const under = prefix === '' ? '' : `${prefix}/`;
    const entries = (await this.listTree()).filter(
      (e) => e.path.startsWith(under) && (e.mode === '100644' || e.mode === '100755'),
    );
    const byOid = new Map<string, string[]>();
    for (const e of entries) byOid.set(e.oid, [...(byOid.get(e.oid) ?? []), e.path.slice(under.length)]);
    const files = new Map<string, string>();
    let bytes = 0;
    let chunks: Buffer[] = [];
    await streamBlobs(this.gitDir, [...byOid.keys()], {
      start: (oid, size) => {
        bytes += size * byOid.get(oid)!.length;
        if (bytes > maxTotalBytes) {
          throw new GitError(
            'GitFetchFailed',
            `the files under /${prefix} of commit ${this.commit} exceed ${maxTotalBytes} bytes`,
          );
        }
        chunks = [];
      },
      data: (c) => chunks.push(Buffer.from(c)),
      end: (oid) => {
        const text = Buffer.concat(chunks).toString('utf8');
        for (const path of byOid.get(oid)!) files.set(path, text);
      },
    });
    return files;
  }

  async readBlob(oid: string): Promise<Buffer> {
    const r = await runGit(['cat-file', 'blob', oid], { cwd: this.gitDir, action: `reading blob ${oid}` });
    return r.stdout;
  }
}
