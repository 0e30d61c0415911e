import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../config.ts';
import type { RunnerCalls, RunnerError, RunnerEvents, RunnerOp, RunnerReply } from './runner-protocol.ts';

const SOURCE = path.join(import.meta.dirname, 'runner-main.ts');
/**
 * The runner bundled to plain JavaScript by scripts/setup.sh: it boots in a
 * third of the time tsx needs, which counts when a room presses Run at once.
 */
const BUNDLE = path.join(ROOT, 'native', 'build', 'runner.mjs');
const ADDON = path.join(ROOT, 'native', 'build', 'Release', 'bpf_addon.node');

/** What the bundle is made of: when any is newer, the sources run through tsx instead. */
const BUNDLED = [
  SOURCE,
  path.join(import.meta.dirname, 'loader.ts'),
  path.join(import.meta.dirname, 'attach-targets.ts'),
  path.join(import.meta.dirname, 'runner-protocol.ts'),
  path.join(ROOT, 'native', 'index.ts'),
];

function runnerEntry(): { entry: string; execArgv: string[] } {
  const fresh = existsSync(BUNDLE) && statSync(BUNDLE).mtimeMs >= Math.max(...BUNDLED.map((file) => statSync(file).mtimeMs));
  return fresh ? { entry: BUNDLE, execArgv: [] } : { entry: SOURCE, execArgv: ['--import', 'tsx'] };
}

/** A failed call in the runner, or the runner's death, as an Error with the BpfError's fields. */
export class RunnerCallError extends Error implements RunnerError {
  errno: number;
  code: string;
  verifierLog: string | null;
  libbpfLog: string;
  constructor(error: RunnerError) {
    super(error.message);
    this.name = 'RunnerCallError';
    this.errno = error.errno;
    this.code = error.code;
    this.verifierLog = error.verifierLog;
    this.libbpfLog = error.libbpfLog;
  }
}

/** A failed call in one sentence: the kernel's own words and its errno's name. */
export function describeBpfError(error: unknown): string {
  if (error instanceof RunnerCallError) return `${error.message} (${error.code}).`;
  return (error as Error).message;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

/**
 * The backend's handle on one runner process. Calls are promises; if the
 * process dies, every pending and later call rejects with code 'ERUNNER'
 * and `onExit` says why.
 */
export class Runner {
  private readonly child: ChildProcess;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private exitReason: string | null = null;
  readonly ready: Promise<void>;
  onExit: ((reason: string) => void) | null = null;
  /** Records from consumed ring buffers and perf event arrays. */
  onEvents: ((events: RunnerEvents) => void) | null = null;

  constructor() {
    const { entry, execArgv } = runnerEntry();
    this.child = fork(entry, [], {
      execArgv,
      env: { ...process.env, BPF_ADDON_PATH: ADDON },
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.ready = new Promise((resolve, reject) => {
      const onReady = (reply: RunnerReply) => {
        if (reply.id === 0) {
          this.child.off('message', onReady);
          resolve();
        }
      };
      this.child.on('message', onReady);
      this.child.once('exit', () => reject(new Error('the runner process exited before it was ready')));
    });
    this.ready.catch(() => {});
    this.child.on('message', (message: RunnerReply | RunnerEvents) => {
      if ('kind' in message) this.onEvents?.(message);
      else this.settle(message);
    });
    this.child.once('exit', (code, signal) => {
      this.exitReason = signal ? `it was killed by ${signal}` : `it exited with code ${code}`;
      const error = new RunnerCallError({
        message: `the session's loader process stopped (${this.exitReason})`,
        errno: 0,
        code: 'ERUNNER',
        verifierLog: null,
        libbpfLog: '',
      });
      for (const { reject } of this.pending.values()) reject(error);
      this.pending.clear();
      this.onExit?.(this.exitReason);
    });
  }

  get alive(): boolean {
    return this.exitReason === null;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  async call<K extends RunnerOp>(op: K, args: RunnerCalls[K]['args']): Promise<RunnerCalls[K]['result']> {
    await this.ready;
    if (!this.alive) {
      throw new RunnerCallError({
        message: `the session's loader process stopped (${this.exitReason})`,
        errno: 0,
        code: 'ERUNNER',
        verifierLog: null,
        libbpfLog: '',
      });
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      // The channel can close between the alive check and here; the exit handler then rejects.
      this.child.send({ id, op, args }, (error) => {
        if (error && this.pending.delete(id))
          reject(
            new RunnerCallError({
              message: `the session's loader process is gone (${error.message})`,
              errno: 0,
              code: 'ERUNNER',
              verifierLog: null,
              libbpfLog: '',
            }),
          );
      });
    });
  }

  /** Ends the process; the kernel releases whatever it still held. */
  kill(): void {
    if (this.alive) this.child.kill('SIGKILL');
  }

  private settle(reply: RunnerReply): void {
    const pending = this.pending.get(reply.id);
    if (!pending) return;
    this.pending.delete(reply.id);
    if (reply.ok) pending.resolve(reply.result);
    else pending.reject(new RunnerCallError(reply.error));
  }
}

/** How long after handing out the spare the next one is started. */
const REFILL_DELAY_MS = 50;

/**
 * Keeps one runner started ahead of need, so a session's first Run does not
 * wait for a Node process to boot. The next spare is started a moment after
 * one is taken: starting a process blocks the backend for a few
 * milliseconds, which the Run that took the spare should not wait for.
 */
export class RunnerPool {
  private spare: Runner | null = new Runner();
  private refill: NodeJS.Timeout | null = null;
  private closed = false;

  take(): Runner {
    const spare = this.spare?.alive ? this.spare : null;
    this.spare = null;
    this.refill ??= setTimeout(() => {
      this.refill = null;
      if (!this.closed && !this.spare?.alive) this.spare = new Runner();
    }, REFILL_DELAY_MS);
    return spare ?? new Runner();
  }

  close(): void {
    this.closed = true;
    if (this.refill) clearTimeout(this.refill);
    this.refill = null;
    this.spare?.kill();
    this.spare = null;
  }
}
