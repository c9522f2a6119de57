// Typed errors of the git source. Each carries the status reason the
// reconciler reports, and a message that is safe to show: no credential, no
// URL userinfo (see redact.ts; every message built from git's output passes it).

export type GitErrorReason =
  /** The remote refused the credential (or wanted one and got none): wrong or missing Secret. */
  | 'GitAuth'
  /** The branch, tag or commit does not exist in the repository. */
  | 'GitRevisionNotFound'
  /** The remote could not be reached or git failed for another reason (worth a retry). */
  | 'GitFetchFailed'
  /** A mapping's `add` does not exist or it selects no file at the commit (a config error). */
  | 'GitMappingInvalid'
  /** The Secret's data cannot be used as a git credential. */
  | 'GitCredentialsInvalid';

export class GitError extends Error {
  override readonly name: string = 'GitError';
  constructor(
    readonly reason: GitErrorReason,
    message: string,
  ) {
    super(message);
  }
}

/** The remote rejected the credential: the reconciler stalls with reason GitAuth. */
export class GitAuthError extends GitError {
  override readonly name = 'GitAuthError';
  constructor(message: string) {
    super('GitAuth', message);
  }
}

export function isGitError(e: unknown): e is GitError {
  return e instanceof GitError;
}
