import { spawn } from 'node:child_process';
import { GitAuthError, GitError } from './errors.js';
import { redactText } from './redact.js';

// Runs the git CLI with an argument array (never a shell) in a hermetic
// environment: no system or global config, no prompts, C locale so its
// messages can be classified. Failures become typed GitErrors whose text has
// passed redaction.

export interface RunGitOptions {
  cwd?: string;
  /** Extra environment (credentials from prepareAuthEnv). */
  env?: Record<string, string>;
  /** Secret values to mask in error text. */
  secrets?: readonly string[];
  /** For error messages: what we were doing, e.g. `fetching commit abc of https://host/repo`. */
  action: string;
}

export interface GitResult {
  stdout: Buffer;
  stderr: string;
}

const BASE_ENV_KEYS = [
  'PATH',
  'TMPDIR',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'HTTPS_PROXY',
  'HTTP_PROXY',
  'NO_PROXY',
];

export function gitEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const k of BASE_ENV_KEYS) if (process.env[k] !== undefined) env[k] = process.env[k];
  return {
    ...env,
    HOME: '/nonexistent',
    LC_ALL: 'C',
    LANG: 'C',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    // ext:: runs arbitrary commands; file:// is allowed only where the caller validated the URL.
    GIT_ALLOW_PROTOCOL: 'http:https:ssh:git:file',
    ...extra,
  };
}

const AUTH_FAILURE = [
  /Authentication failed/i,
  /could not read (Username|Password)/i,
  /terminal prompts disabled/i,
  /Permission denied \(/i,
  /Host key verification failed/i,
  /requested URL returned error: 40[13]/i,
  /HTTP Basic: Access denied/i,
  /Invalid username or password/i,
];
const NOT_FOUND = [
  /not our ref/i,
  /couldn't find remote ref/i,
  /no such remote ref/i,
  /unadvertised object/i,
  /reference is not a tree/i,
];

/** Which typed error a failed git run is, from its stderr (C locale). */
export function classifyGitFailure(stderr: string): 'GitAuth' | 'GitRevisionNotFound' | 'GitFetchFailed' {
  if (AUTH_FAILURE.some((r) => r.test(stderr))) return 'GitAuth';
  if (NOT_FOUND.some((r) => r.test(stderr))) return 'GitRevisionNotFound';
  return 'GitFetchFailed';
}

/** The lines of git's stderr that say what went wrong (the recognised cause first), for a message. */
function summarize(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('hint:'));
  const known = lines.filter((l) => [...AUTH_FAILURE, ...NOT_FOUND].some((r) => r.test(l)));
  const fatal = lines.filter((l) => l.startsWith('fatal:') && !known.includes(l));
  const picked = known.length > 0 || fatal.length > 0 ? [...known, ...fatal] : lines.slice(-3);
  return picked.slice(0, 4).join('; ') || 'no error output';
}

export function runGit(args: readonly string[], opts: RunGitOptions): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      cwd: opts.cwd,
      env: gitEnv(opts.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) =>
      reject(new GitError('GitFetchFailed', `${opts.action}: cannot run git: ${e.message}`)),
    );
    child.on('close', (code, signal) => {
      const stderr = Buffer.concat(err).toString('utf8');
      if (code === 0) {
        resolve({ stdout: Buffer.concat(out), stderr });
        return;
      }
      const reason = classifyGitFailure(stderr);
      const detail = redactText(summarize(stderr), opts.secrets ?? []);
      const message = `${redactText(opts.action, opts.secrets ?? [])}: git ${signal ? `killed by ${signal}` : `exited ${code}`}: ${detail}`;
      reject(reason === 'GitAuth' ? new GitAuthError(message) : new GitError(reason, message));
    });
  });
}
