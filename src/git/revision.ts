import { GitError } from './errors.js';

// Which commit a requested revision names, decided from `git ls-remote`
// output. Pure, so the precedence rules are unit-tested without a remote.

/** What a user asked for: spec.source.git.revision (`any`), or werf's branch/tag/commit of a remote mapping. */
export type RevisionRequest =
  | { kind: 'any'; name: string }
  | { kind: 'branch'; name: string }
  | { kind: 'tag'; name: string }
  | { kind: 'commit'; name: string }
  /** The remote's default branch (HEAD). */
  | { kind: 'default' };

export interface RemoteRef {
  name: string;
  oid: string;
}

export interface ResolvedRevision {
  commit: string;
  /** The ref that named it (`refs/heads/main`, `refs/tags/v1`, `HEAD`), absent for a commit request. */
  ref?: string;
}

const FULL_ID = /^([0-9a-f]{40}|[0-9a-f]{64})$/;
const SHORT_ID = /^[0-9a-f]{4,39}$/;

/** Parses `git ls-remote` output: `<oid>\t<ref>` lines (annotated tags also as `<ref>^{}` = the commit). */
export function parseLsRemote(output: string): RemoteRef[] {
  const refs: RemoteRef[] = [];
  for (const line of output.split('\n')) {
    if (line === '') continue;
    const tab = line.indexOf('\t');
    if (tab < 0) continue;
    refs.push({ oid: line.slice(0, tab), name: line.slice(tab + 1) });
  }
  return refs;
}

/** Describes a request for messages. */
export function describeRevision(req: RevisionRequest): string {
  return req.kind === 'default'
    ? 'the default branch (HEAD)'
    : `${req.kind === 'any' ? 'revision' : req.kind} ${JSON.stringify(req.name)}`;
}

/**
 * The commit of a request. Plain names follow git's own precedence
 * (`git rev-parse`): a full ref name, then `refs/tags/<name>`, then
 * `refs/heads/<name>`. Annotated tags resolve to the commit they point to.
 * A commit id is returned as is (the fetch proves it exists); abbreviated
 * ids cannot be resolved remotely and are rejected.
 */
export function pickRevision(refs: readonly RemoteRef[], req: RevisionRequest): ResolvedRevision {
  const byName = new Map(refs.map((r) => [r.name, r.oid]));
  const lookup = (ref: string): ResolvedRevision | undefined => {
    const oid = byName.get(`${ref}^{}`) ?? byName.get(ref);
    return oid ? { commit: oid, ref } : undefined;
  };
  const notFound = (detail = '') =>
    new GitError('GitRevisionNotFound', `${describeRevision(req)} does not exist in the repository${detail}`);
  switch (req.kind) {
    case 'default': {
      const found = lookup('HEAD');
      if (!found) throw new GitError('GitRevisionNotFound', 'the repository has no default branch (HEAD)');
      return found;
    }
    case 'commit': {
      const id = req.name.toLowerCase();
      if (!FULL_ID.test(id)) throw notFound('; a commit must be a full 40-character id');
      return { commit: id };
    }
    case 'branch':
      return lookup(`refs/heads/${req.name}`) ?? throwIt(notFound());
    case 'tag':
      return lookup(`refs/tags/${req.name}`) ?? throwIt(notFound());
    case 'any': {
      const name = req.name;
      if (FULL_ID.test(name.toLowerCase())) return { commit: name.toLowerCase() };
      const found =
        (name === 'HEAD' || name.startsWith('refs/') ? lookup(name) : undefined) ??
        lookup(`refs/tags/${name}`) ??
        lookup(`refs/heads/${name}`);
      if (found) return found;
      if (SHORT_ID.test(name))
        throw notFound('; abbreviated commit ids are not supported, use the full 40-character id');
      throw notFound(' (looked for a tag, a branch and a full commit id)');
    }
  }
}

function throwIt(e: Error): never {
  throw e;
}

/** spec.source.git.revision -> request ("" or undefined = the default branch). */
export function revisionRequest(revision: string | undefined): RevisionRequest {
  const name = revision?.trim() ?? '';
  return name === '' ? { kind: 'default' } : { kind: 'any', name };
}

/** A remote mapping's werf fields (at most one set) -> request. */
export function mappingRevisionRequest(m: {
  branch?: string;
  tag?: string;
  commit?: string;
}): RevisionRequest {
  if (m.commit) return { kind: 'commit', name: m.commit };
  if (m.tag) return { kind: 'tag', name: m.tag };
  if (m.branch) return { kind: 'branch', name: m.branch };
  return { kind: 'default' };
}
