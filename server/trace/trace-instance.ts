import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmdirSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TraceLine } from '../../protocol/messages.ts';
import { parseTraceLine, splitTraceTag } from './trace-line.ts';
import { isAlive } from '../proc-util.ts';

export const TRACEFS = '/sys/kernel/tracing';
const PREFIX = 'ebpf_playground_';

let instancesMade = 0;

export type TraceListener = (lines: TraceLine[]) => void;

/**
 * The backend's own tracefs instance. Reading the global trace_pipe would
 * split lines with any other reader (a terminal's `cat`, a second backend),
 * while every instance with bpf_trace_printk enabled gets its own full copy.
 * One reader serves all sessions: each line goes to the session whose secret
 * tag it starts with (bpf/include/bpf/bpf_helpers.h puts it there), in
 * batches, not one by one. Lines with no known tag go to nobody and are counted.
 */
export class TraceInstance {
  readonly name: string;
  readonly dir: string;
  private reader: ChildProcess | null = null;
  private listeners = new Map<string, TraceListener>();
  private pending = new Map<string, TraceLine[]>();
  /** Lines no session owns: printed without bpf_printk, or by a program outside the playground. */
  unattributed = 0;
  private lastOwner: string | null = null;
  private flushTimer: NodeJS.Timeout | null = null;
  private last: TraceLine | null = null;
  private partial = '';

  constructor(private readonly maxLineBytes: number) {
    // Named for the backend's pid (so a later start can tell it is stale) and a count (tests run several backends).
    this.name = `${PREFIX}${process.pid}_${++instancesMade}`;
    this.dir = path.join(TRACEFS, 'instances', this.name);
  }

  /** Creates the instance (after removing ones left by dead backends) and starts reading. */
  open(): void {
    sweepStaleInstances();
    if (!existsSync(this.dir)) mkdirSync(this.dir);
    writeFileSync(path.join(this.dir, 'events/bpf_trace/bpf_trace_printk/enable'), '1');
    // The reader dies with the backend (SIGKILL on parent death), so even after
    // a kill -9 nothing holds the instance open and the next start can remove it.
    const reader = spawn('setpriv', ['--pdeathsig', 'KILL', '--', 'cat', path.join(this.dir, 'trace_pipe')], { stdio: ['ignore', 'pipe', 'ignore'] });
    reader.stdout!.setEncoding('utf8');
    reader.stdout!.on('data', (chunk: string) => this.onData(chunk));
    this.reader = reader;
  }

  /** Delivers the lines tagged with `secret` to `listener`, until the returned function is called. */
  subscribe(secret: string, listener: TraceListener): () => void {
    this.listeners.set(secret, listener);
    return () => {
      if (this.listeners.get(secret) === listener) this.listeners.delete(secret);
    };
  }

  private overrunCache = { at: -Infinity, value: 0 };

  /** kernelOverruns(), read at most once a second: every session's trace batch asks. */
  recentOverruns(): number {
    const now = performance.now();
    if (now - this.overrunCache.at >= 1000) this.overrunCache = { at: now, value: this.kernelOverruns() };
    return this.overrunCache.value;
  }

  /** Lines the kernel overwrote before anyone read them, summed over CPUs. */
  kernelOverruns(): number {
    let total = 0;
    const perCpu = path.join(this.dir, 'per_cpu');
    for (const cpu of safeReaddir(perCpu)) {
      const stats = safeRead(path.join(perCpu, cpu, 'stats'));
      const match = /^overrun: (\d+)$/m.exec(stats);
      if (match) total += Number(match[1]);
    }
    return total;
  }

  close(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.reader?.kill('SIGKILL');
    this.reader = null;
    this.listeners.clear();
    removeInstance(this.dir);
  }

  private onData(chunk: string): void {
    const text = this.partial + chunk;
    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    for (const raw of lines) {
      const clipped = raw.length > this.maxLineBytes ? `${raw.slice(0, this.maxLineBytes)}…` : raw;
      const parsed = parseTraceLine(clipped, this.last);
      if (!parsed) continue;
      const { line } = parsed;
      this.last = line;
      if (!parsed.continuation) {
        const { secret, text } = splitTraceTag(line.text);
        line.text = text;
        this.lastOwner = secret && this.listeners.has(secret) ? secret : null;
      }
      if (this.lastOwner === null) {
        this.unattributed++;
        continue;
      }
      let batch = this.pending.get(this.lastOwner);
      if (!batch) {
        batch = [];
        this.pending.set(this.lastOwner, batch);
      }
      batch.push(line);
    }
    // One batch per ~10 ms: cheap for a flood, still well under the 100 ms a user notices.
    if (this.pending.size && !this.flushTimer) this.flushTimer = setTimeout(() => this.flush(), 10);
  }

  private flush(): void {
    this.flushTimer = null;
    const batches = this.pending;
    this.pending = new Map();
    for (const [secret, lines] of batches) this.listeners.get(secret)?.(lines);
  }
}

function removeInstance(dir: string): void {
  try {
    writeFileSync(path.join(dir, 'events/bpf_trace/bpf_trace_printk/enable'), '0');
  } catch {
    // The instance may be half made; rmdir below is what matters.
  }
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      rmdirSync(dir);
      return;
    } catch (error) {
      // EBUSY while the killed reader still holds trace_pipe open.
      if ((error as NodeJS.ErrnoException).code !== 'EBUSY') return;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 25);
    }
  }
}

/** Instances named for a backend pid that no longer runs are left over from a crash. */
export function sweepStaleInstances(): void {
  const instances = path.join(TRACEFS, 'instances');
  for (const name of safeReaddir(instances)) {
    if (!name.startsWith(PREFIX)) continue;
    const pid = Number(name.slice(PREFIX.length).split('_')[0]);
    if (pid === process.pid || isAlive(pid)) continue;
    removeInstance(path.join(instances, name));
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function safeRead(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
