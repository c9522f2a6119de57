import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { sleep } from './wait.js';

export interface ManagedProcess {
  name: string;
  child: ChildProcess;
  logFile: string;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  exited: Promise<number | string>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it is gone. */
  stop(graceMs?: number): Promise<void>;
  /** The end of its log, for error messages. */
  logTail(lines?: number): string;
}

/** Starts a long-running program with stdout+stderr appended to `logFile`. */
export function startProcess(
  name: string,
  command: string,
  args: string[],
  options: {
    logFile: string;
    env?: NodeJS.ProcessEnv;
    cwd?: string;
    /** Its own process group: a terminal's Ctrl-C reaches only the starter, which stops it in order. */
    ownProcessGroup?: boolean;
  },
): ManagedProcess {
  const fd = openSync(options.logFile, 'a');
  const child = spawn(command, args, {
    stdio: ['ignore', fd, fd],
    env: options.env ?? process.env,
    cwd: options.cwd,
    detached: options.ownProcessGroup ?? false,
  });
  closeSync(fd);
  let exitedValue: number | string | undefined;
  const exited = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => {
      exitedValue = code ?? signal ?? 'unknown';
      resolve(exitedValue);
    });
    child.on('error', (err) => {
      exitedValue = `failed to start: ${err.message}`;
      resolve(exitedValue);
    });
  });
  const logTail = (lines = 30) => tailOfFile(options.logFile, lines);
  const stop = async (graceMs = 10_000) => {
    if (exitedValue !== undefined) return;
    child.kill('SIGTERM');
    const result = await Promise.race([exited, sleep(graceMs).then(() => 'timeout' as const)]);
    if (result === 'timeout') {
      child.kill('SIGKILL');
      await exited;
    }
  };
  return { name, child, logFile: options.logFile, exited, stop, logTail };
}

export function tailOfFile(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
