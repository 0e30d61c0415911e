/**
 * The target program uprobes watch (bpf/target/playground-target.c), started
 * where the kernel is for one Run: a fresh copy in a directory of its own, run
 * as nobody. A uprobe names a file, so a copy made for this Run is watched in
 * this Run's process and nowhere else.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';

const NOBODY = 65534;
/** Its whole environment: nothing of the loader's leaks through. */
const TARGET_ENV: Record<string, string> = { PATH: '/usr/bin:/bin' };

export interface StartedTarget {
  /** The copy's path: what the uprobes attach to. */
  binary: string;
  pid: number;
  stop(): void;
}

export function startTarget(program: string): StartedTarget {
  const dir = path.join('/tmp', `pg-target-${randomBytes(4).toString('hex')}`);
  mkdirSync(dir, { mode: 0o755 });
  const binary = path.join(dir, path.basename(program));
  try {
    copyFileSync(program, binary);
    chmodSync(binary, 0o755);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`the target program cannot be started: ${(error as Error).message}`);
  }
  const child = spawn(binary, [], { cwd: dir, uid: NOBODY, gid: NOBODY, stdio: 'ignore', env: TARGET_ENV as NodeJS.ProcessEnv });
  // spawn reports a failed exec as an 'error' event; the pid is there as soon as the fork succeeded.
  child.on('error', () => {});
  if (child.pid === undefined) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`the target program ${program} could not be started`);
  }
  return {
    binary,
    pid: child.pid,
    stop() {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
