import { spawn } from 'node:child_process';
import { GitError } from './errors.js';
import { gitEnv } from './exec.js';

// Reads many blobs with one `git cat-file --batch` process: the ids go in on
// stdin, each object comes back as `<oid> blob <size>\n<bytes>\n` in request
// order. Bodies are handed on in chunks, so a large file never has to fit in
// memory.

export interface BlobHandlers {
  start(oid: string, size: number): void;
  data(chunk: Buffer): void;
  end(oid: string): void;
}

/** Streams each blob (unique ids) through the handlers; throws GitFetchFailed when one is missing. */
export async function streamBlobs(
  gitDir: string,
  oids: readonly string[],
  handlers: BlobHandlers,
): Promise<void> {
  if (oids.length === 0) return;
  const parser = new BatchParser(oids, handlers);
  const child = spawn('git', ['cat-file', '--batch'], { cwd: gitDir, env: gitEnv(), stdio: 'pipe' });
  const stderr: Buffer[] = [];
  child.stderr.on('data', (b: Buffer) => stderr.push(b));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  child.stdin.on('error', () => {}); // an early exit is reported through the exit code
  child.stdin.end(`${oids.join('\n')}\n`);
  try {
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) parser.push(chunk);
  } catch (e) {
    child.kill();
    throw e;
  }
  const code = await exited;
  if (code !== 0 || !parser.done()) {
    const detail = Buffer.concat(stderr).toString('utf8').trim() || `exit ${code}`;
    throw new GitError('GitFetchFailed', `reading blobs failed: ${detail}`);
  }
}

class BatchParser {
  private index = 0;
  /** Body bytes still to come; -1 while a header is expected, 0 when only the trailing LF is. */
  private remaining = -1;
  private pending: Buffer = Buffer.alloc(0);

  constructor(
    private readonly order: readonly string[],
    private readonly handlers: BlobHandlers,
  ) {}

  push(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    while (this.pending.length > 0) {
      if (this.remaining < 0) {
        const lf = this.pending.indexOf(10);
        if (lf < 0) return;
        this.start(this.pending.subarray(0, lf).toString('utf8'));
        this.pending = this.pending.subarray(lf + 1);
      } else if (this.remaining > 0) {
        const part = this.pending.subarray(0, Math.min(this.remaining, this.pending.length));
        this.handlers.data(part);
        this.remaining -= part.length;
        this.pending = this.pending.subarray(part.length);
      } else {
        this.pending = this.pending.subarray(1); // the LF after the body
        this.finish();
      }
    }
  }

  done(): boolean {
    if (this.remaining === 0) this.finish();
    return this.index === this.order.length;
  }

  private start(header: string): void {
    const oid = this.order[this.index];
    const [gotOid, type, size] = header.split(' ');
    if (oid === undefined || gotOid !== oid || type !== 'blob' || size === undefined) {
      throw new GitError('GitFetchFailed', `blob ${oid} is not in the fetched repository (git: ${header})`);
    }
    this.remaining = Number.parseInt(size, 10);
    this.handlers.start(oid, this.remaining);
  }

  private finish(): void {
    this.handlers.end(this.order[this.index]!);
    this.remaining = -1;
    this.index++;
  }
}
