import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

/** What running a tool produced. Always resolved: a failing tool is data, not an exception. */
export interface ExecResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** Output past `maxOutputBytes` was cut; the count of dropped bytes is in `droppedBytes`. */
  truncated: boolean;
  droppedBytes: number;
  stdout: Buffer;
  stderr: string;
  durationMs: number;
  /** The program's pid (a lesson's workload names itself by it). */
  pid?: number;
}

export interface ExecOptions {
  timeoutMs: number;
  maxOutputBytes: number;
  cwd?: string;
  /** The whole environment of the program: nothing of the backend's leaks through. */
  env?: Record<string, string>;
  input?: Buffer | string;
  /** Run as this user and group (the compile jail runs as nobody). */
  uid?: number;
  gid?: number;
}

/**
 * Runs a program with a wall-clock limit and capped output. Rejects only
 * when the program cannot be started at all (a missing binary).
 */
export function exec(file: string, args: readonly string[], options: ExecOptions): Promise<ExecResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      cwd: options.cwd,
      env: (options.env ?? {}) as NodeJS.ProcessEnv,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      uid: options.uid,
      gid: options.gid,
      // Own process group, so a timeout kills whatever the tool started too.
      detached: true,
    }) as ChildProcessByStdio<Writable | null, Readable, Readable>;
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let kept = 0;
    let droppedBytes = 0;
    let timedOut = false;
    const collect = (into: Buffer[]) => (chunk: Buffer) => {
      const room = options.maxOutputBytes - kept;
      if (room <= 0) {
        droppedBytes += chunk.length;
        return;
      }
      const piece = chunk.length > room ? chunk.subarray(0, room) : chunk;
      droppedBytes += chunk.length - piece.length;
      kept += piece.length;
      into.push(piece);
    };
    child.stdout.on('data', collect(out));
    child.stderr.on('data', collect(err));
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        timedOut,
        truncated: droppedBytes > 0,
        droppedBytes,
        stdout: Buffer.concat(out),
        stderr: Buffer.concat(err).toString('utf8'),
        durationMs: performance.now() - started,
        pid: child.pid,
      });
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}
